"""What every part of the merge shares: the subgraphs, relations between types, the errors.

The merge is split by GraphQL kind into sibling modules; they all read and write one
`MergeState`, so errors are collected rather than raised and one run reports every
problem it can see.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graphql import print_ast
from graphql.language import TypeNode, ValueNode

from ..applications import ApplicationsReport
from ..errors import CompositionError, subgraph_names
from ..features import access_order
from ..hints import CompositionHint, merged_description
from ..join_directives import implied_federation_minor
from ..model import SubgraphSchema, TypeDef
from ..typerefs import type_str


@dataclass
class Source:
    """A type as one subgraph defines it, with that subgraph's join__Graph value."""

    schema: SubgraphSchema
    graph: str
    type: TypeDef

    @property
    def name(self) -> str:
        return self.schema.name


class MergeState:
    """One composition run: holds the subgraphs, the relations between types, the errors."""

    def __init__(self, subgraphs: list[SubgraphSchema]) -> None:
        self.subgraphs = subgraphs
        self.graphs = dict(
            zip(
                [s.name for s in subgraphs],
                graph_enum_values([s.name for s in subgraphs]),
                strict=True,
            )
        )
        self.errors: list[CompositionError] = []
        self.hints: list[CompositionHint] = []
        # federation 2.X per subgraph after implicit upgrades (hinted, like Apollo)
        self.federation_minors: dict[str, int] = {}
        for s in subgraphs:
            if s.is_fed1:
                continue
            implied = implied_federation_minor(s)
            self.federation_minors[s.name] = implied
            if implied > s.federation_minor:
                self.hint(
                    "IMPLICITLY_UPGRADED_FEDERATION_VERSION",
                    f"Subgraph {s.name} has been implicitly upgraded from federation "
                    f"v2.{s.federation_minor} to v2.{implied}",
                    [s.name],
                    "",
                )
        self.access_order = access_order(subgraphs)
        self.possible: dict[str, set[str]] = {}
        for s in subgraphs:
            for t in s.types.values():
                for i in t.interfaces:
                    self.possible.setdefault(i, set()).add(t.name)
                for m in t.members:
                    self.possible.setdefault(t.name, set()).add(m)
        # (coordinate, source subgraph) -> label of a progressive @override taking it over
        self.progressive: dict[tuple[str, str], str] = {}
        self.input_uses: dict[str, str] = {}  # enum -> an example coordinate
        self.output_uses: dict[str, str] = {}
        # composed directives defined non-repeatable (the last subgraph's definition wins)
        repeatable: dict[str, bool] = {}
        for s in subgraphs:
            for name in s.composed:
                if name in s.directive_defs:
                    repeatable[name] = s.directive_defs[name].repeatable
        self.non_repeatable = frozenset(n for n, r in repeatable.items() if not r)

    def error(self, code: str, message: str, subgraphs: Iterable[str], coordinate: str) -> None:
        self.errors.append(CompositionError(code, message, tuple(subgraphs), (coordinate,)))

    def hint(self, code: str, message: str, subgraphs: Iterable[str], coordinate: str) -> None:
        self.hints.append(CompositionHint(code, message, tuple(subgraphs), (coordinate,)))

    def applications(self, coordinate: str, subgraphs: Iterable[str]) -> ApplicationsReport:
        """A `merge_applications` report hinting about one element's merged directives."""

        def hint(code: str, message: str) -> None:
            self.hint(code, message, [], coordinate)

        return ApplicationsReport(coordinate, tuple(subgraphs), hint, self.non_repeatable)

    def merge_description(
        self, coordinate: str, pairs: Iterable[tuple[str, str | None]]
    ) -> str | None:
        """The description the supergraph keeps (`hints.merged_description`), hinting
        INCONSISTENT_DESCRIPTION when they differ."""
        chosen, hint = merged_description(f'Element "{coordinate}"', pairs, coordinate)
        if hint is not None:
            self.hints.append(hint)
        return chosen

    def sources(self, name: str) -> list[Source]:
        """The definitions of one type, in subgraph order."""
        return [
            Source(s, self.graphs[s.name], s.types[name]) for s in self.subgraphs if name in s.types
        ]


def graph_enum_values(names: Sequence[str]) -> list[str]:
    """join__Graph values: upper-cased, made valid; colliding ones numbered `_1`, `_2`..."""
    bases = []
    for n in names:
        base = re.sub(r"[^A-Za-z0-9_]", "_", n).upper()
        bases.append("_" + base if base[:1].isdigit() else base)
    counts = Counter(bases)
    seen: Counter[str] = Counter()
    out = []
    for base in bases:
        if counts[base] > 1:
            seen[base] += 1
            out.append(f"{base}_{seen[base]}")
        else:
            out.append(base)
    return out


def description(values: Iterable[str | None]) -> str | None:
    """The most common description among the subgraphs (Apollo picks it the same way)."""
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


def value_str(node: ValueNode | None) -> str | None:
    return print_ast(node) if node is not None else None


def type_label(node: TypeNode) -> str:
    return f'type "{type_str(node)}"'


def default_label(node: ValueNode | None) -> str:
    return f"default value {value_str(node)}" if node is not None else "no default value"


def differences(pairs: Iterable[tuple[str, str]], first: str | None = None) -> str:
    """Apollo's way of showing what differs: `type "A" in subgraph "x" but type "B" in
    subgraphs "y" and "z"`, from (subgraph, label) pairs; `first` leads if present."""
    by_label: dict[str, list[str]] = {first: []} if first else {}
    for subgraph, label in pairs:
        by_label.setdefault(label, []).append(subgraph)
    return " but ".join(f"{label} in {subgraph_names(n)}" for label, n in by_label.items() if n)

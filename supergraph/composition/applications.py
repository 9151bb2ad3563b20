"""Merging the directive applications an element carries in several subgraphs.

Repeatable directives keep every distinct application. A non-repeatable one kept once
when all subgraphs agree; when they differ, Apollo merges the arguments of the
federation directives by a per-argument strategy (`@requiresScopes`/`@policy`: the
conjunction of the requirement lists; `@cost`: the highest weight; `@listSize`: the
highest size, the union of the lists, `requireOneSlicingArgument` only if all say so),
and keeps the most common application of any other directive (the first on a tie),
hinting which subgraphs lose theirs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import print_ast, value_from_ast_untyped
from graphql.language import DirectiveNode

from .hints import mismatch

NON_REPEATABLE = {"deprecated", "specifiedBy", "inaccessible", "oneOf"} | {
    "authenticated",
    "requiresScopes",
    "policy",
    "cost",
    "listSize",
}
ACCESS_CONTROL = ("authenticated", "requiresScopes", "policy")

Merger = Callable[[list[Any]], Any]
# Defaults that make two applications equal when one writes them and one does not.
_DEFAULTS: dict[str, dict[str, Any]] = {"deprecated": {"reason": "No longer supported"}}


@dataclass(frozen=True)
class ApplicationsReport:
    """Where `merge_applications` reports what it merged for one element: the element's
    coordinate, the subgraph of each group (same order), and a `hint(code, message)`."""

    coordinate: str
    subgraphs: Sequence[str]
    hint: Callable[[str, str], None]
    non_repeatable: frozenset[str] = frozenset()  # composed directives defined so


def _js_key(value: Any) -> str:
    """`JSON.stringify`, which Apollo sorts and deduplicates requirement lists by."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def dnf_conjunction(values: list[list[list[str]]]) -> list[list[str]]:
    """AND of requirement lists in disjunctive normal form (outer list: any of, inner
    list: all of), simplified like Apollo: sorted, duplicates and subsumed terms dropped.
    An empty list means no requirement."""
    if not values:
        return []
    copies = [[sorted(inner) for inner in v] or [[]] for v in values]
    distinct: list[list[list[str]]] = []
    seen: set[str] = set()
    for value in copies:
        value.sort(key=_js_key)
        if _js_key(value) not in seen:
            seen.add(_js_key(value))
            distinct.append(value)
    result = distinct[0]
    for current in distinct[1:]:
        products: list[list[str]] = []
        keys: set[str] = set()
        for left in result:
            for right in current:
                candidate = sorted([*left, *(e for e in right if e not in left)])
                if _js_key(candidate) not in keys:
                    keys.add(_js_key(candidate))
                    products.append(candidate)
        products.sort(key=len)
        result = []
        for candidate in products:
            if not any(set(r) <= set(candidate) for r in result):
                result.append(candidate)
    return result


def _nullable(merge: Merger) -> Merger:
    def merged(values: list[Any]) -> Any:
        present = [v for v in values if v is not None]
        return merge(present) if present else None

    return merged


def _union(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        out.extend(v for v in value if v not in out)
    return out


# directive -> argument -> (default value, merge strategy), in definition order
STRATEGIES: dict[str, dict[str, tuple[Any, Merger]]] = {
    "requiresScopes": {"scopes": (None, dnf_conjunction)},
    "policy": {"policies": (None, dnf_conjunction)},
    "cost": {"weight": (None, max)},
    "listSize": {
        "assumedSize": (None, _nullable(max)),
        "slicingArguments": (None, _nullable(_union)),
        "sizedFields": (None, _nullable(_union)),
        "requireOneSlicingArgument": (True, _nullable(all)),
    },
}


# how Apollo names each argument's strategy in MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS
STRATEGY_NAMES: dict[str, str] = {
    "requiresScopes": '{ "scopes": DNF_CONJUNCTION }',
    "policy": '{ "policies": DNF_CONJUNCTION }',
    "cost": '{ "weight": MAX }',
    "listSize": '{ "assumedSize": NULLABLE_MAX, "slicingArguments": NULLABLE_UNION, '
    '"sizedFields": NULLABLE_UNION, "requireOneSlicingArgument": NULLABLE_AND }',
}


def arguments(node: DirectiveNode, with_defaults: bool = False) -> dict[str, Any]:
    """An application's arguments as Python values (defaults filled in if asked)."""
    values = {a.name.value: value_from_ast_untyped(a.value) for a in node.arguments or ()}
    if with_defaults:
        for name, (default, _) in STRATEGIES.get(node.name.value, {}).items():
            if default is not None:
                values.setdefault(name, default)
        for name, default in _DEFAULTS.get(node.name.value, {}).items():
            values.setdefault(name, default)
    return values


def print_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(print_value(v) for v in value) + "]"
    return str(value)


def _merged(
    name: str, applications: list[tuple[int, DirectiveNode]], report: ApplicationsReport | None
) -> str:
    distinct: list[DirectiveNode] = []
    counts: list[int] = []
    for _, a in applications:
        same = [i for i, d in enumerate(distinct) if arguments(a, True) == arguments(d, True)]
        if same:
            counts[same[0]] += 1
        else:
            distinct.append(a)
            counts.append(1)
    if len(distinct) == 1:
        return print_ast(distinct[0])
    if name not in STRATEGIES:
        chosen = distinct[counts.index(max(counts))]
        if report is not None:
            _hint_inconsistent(name, chosen, applications, report)
        return print_ast(chosen)
    if report is not None:
        report.hint(
            "MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS",
            f'Directive @{name} is applied to "{report.coordinate}" in multiple subgraphs with '
            f"different arguments. Merging strategies used by arguments: {STRATEGY_NAMES[name]}",
        )
    values = [arguments(a, True) for a in distinct]
    args = []
    for arg, (_, merge) in STRATEGIES[name].items():
        merged = merge([v.get(arg) for v in values])
        if merged is not None:
            args.append(f"{arg}: {print_value(merged)}")
    return f"@{name}({', '.join(args)})"


def _hint_inconsistent(
    name: str,
    chosen: DirectiveNode,
    applications: list[tuple[int, DirectiveNode]],
    report: ApplicationsReport,
) -> None:
    """INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS, worded like Apollo: every subgraph
    with the element, one without the directive showing as an empty value."""
    by_group = dict(applications)
    pairs = [
        (sg, _arguments_label(by_group[i]) if i in by_group else "")
        for i, sg in enumerate(report.subgraphs)
    ]
    report.hint(
        "INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS",
        f'Non-repeatable directive @{name} is applied to "{report.coordinate}" in multiple '
        "subgraphs but with incompatible arguments. "
        + mismatch(
            _arguments_label(chosen),
            pairs,
            lambda label, names: f"The supergraph will use {label} (from {names}), but found ",
            lambda label, names: f"{label} in {names}",
        )
        + ".",
    )


def _arguments_label(node: DirectiveNode) -> str:
    values = arguments(node)
    return f"arguments {js_value(values)}" if values else "no arguments"


def js_value(value: Any) -> str:
    """A value as Apollo prints one in messages and `join__DirectiveArguments`."""
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {js_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(js_value(v) for v in value) + "]"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return print_value(value)


def merge_applications(
    groups: Iterable[list[DirectiveNode]],
    access_first: Sequence[str] = (),
    report: ApplicationsReport | None = None,
) -> list[str]:
    """The printed applications an element gets from its subgraphs' (one group each).

    `access_first` lists access-control directives to put first, in that order, as
    Apollo does on fields and interfaces (the order its specs were linked in).
    `report` is told of non-repeatable directives whose differing arguments were merged
    or of which one application was kept."""
    order: list[str] = []
    by_name: dict[str, list[tuple[int, DirectiveNode]]] = {}
    for i, group in enumerate(groups):
        for d in group:
            if d.name.value not in by_name:
                order.append(d.name.value)
            by_name.setdefault(d.name.value, []).append((i, d))
    if access_first:
        order = [n for n in access_first if n in by_name] + [
            n for n in order if n not in access_first
        ]
    non_repeatable = NON_REPEATABLE | (report.non_repeatable if report else frozenset())
    out: list[str] = []
    for name in order:
        if name in non_repeatable:
            out.append(_merged(name, by_name[name], report))
            continue
        for _, d in by_name[name]:
            printed = print_ast(d)
            if printed not in out:
                out.append(printed)
    return out

"""Apollo's hints about `@composeDirective` (its ComposeDirectiveManager): what a subgraph
asks to compose that composes anyway, specs linked at different major versions, and a
composed directive another subgraph imports under another name.

These are warnings about intent, not errors: the supergraph is the same with or without
them, but the next change (exporting the directive from the other subgraph, upgrading the
spec) would not do what its author expects.
"""

from __future__ import annotations

import re

from .hints import CompositionHint
from .model import Link, SubgraphSchema

# Federation directives the supergraph carries without being asked (Apollo's list).
_COMPOSED_BY_DEFAULT = (
    "tag",
    "inaccessible",
    "authenticated",
    "requiresScopes",
    "policy",
    "context",
)
_VERSIONED = re.compile(r"^(?P<identity>.+)/v(?P<major>\d+)\.(?P<minor>\d+)$")


def composition_hints(subgraphs: list[SubgraphSchema]) -> list[CompositionHint]:
    """DIRECTIVE_COMPOSITION_INFO and DIRECTIVE_COMPOSITION_WARN, in Apollo's order."""
    hints: list[CompositionHint] = []
    for s in subgraphs:
        for local, canonical in s.composed_federation.items():
            if canonical in _COMPOSED_BY_DEFAULT:
                hints.append(
                    CompositionHint(
                        "DIRECTIVE_COMPOSITION_INFO",
                        f'Directive "@{local}" should not be explicitly manually composed since '
                        "it is a federation directive composed by default",
                        (s.name,),
                        (f"@{local}",),
                    )
                )
    hints.extend(_major_mismatches(subgraphs))
    hints.extend(_naming_mismatches(subgraphs))
    return hints


def _identity(link: Link) -> tuple[str, int] | None:
    match = _VERSIONED.match(link.url.rstrip("/"))
    return (match.group("identity"), int(match.group("major"))) if match else None


def _composes(s: SubgraphSchema, link: Link) -> list[tuple[str, str]]:
    """(local name, name in the spec) of each directive `s` composes from `link`."""
    prefix = _link_name(link)
    out = []
    for name in s.composed:
        if name in link.imports:
            out.append((name, link.imports[name]))
        elif prefix and name.startswith(f"{prefix}__"):
            out.append((name, name[len(prefix) + 2 :]))
    return out


def _link_name(link: Link) -> str | None:
    for a in link.node.arguments or ():
        if a.name.value == "as":
            return getattr(a.value, "value", None)
    match = _VERSIONED.match(link.url.rstrip("/"))
    return match.group("identity").rsplit("/", 1)[-1] if match else None


def _major_mismatches(subgraphs: list[SubgraphSchema]) -> list[CompositionHint]:
    """A spec linked at different major versions that not every linking subgraph
    composes from (when two composing subgraphs disagree Apollo fails instead)."""
    by_identity: dict[str, list[tuple[str, int, bool]]] = {}
    for s in subgraphs:
        for link in s.links:
            found = _identity(link)
            if found is not None:
                identity, major = found
                by_identity.setdefault(identity, []).append(
                    (s.name, major, bool(_composes(s, link)))
                )
    hints = []
    for identity, uses in by_identity.items():
        current = uses[0]
        for use in uses[1:]:
            if current[1] == use[1]:
                if not current[2] and use[2]:
                    current = use
                continue
            if current[2] and use[2]:
                break  # an error in Apollo (DIRECTIVE_COMPOSITION_ERROR), no hint
            hints.append(
                CompositionHint(
                    "DIRECTIVE_COMPOSITION_INFO",
                    f'Non-composed core feature "{identity}" has major version mismatch across '
                    "subgraphs",
                    tuple(name for name, _, _ in uses),
                    (),
                )
            )
            break
    return hints


def _naming_mismatches(subgraphs: list[SubgraphSchema]) -> list[CompositionHint]:
    """A composed directive that a subgraph not composing it imports under another name."""
    composed: dict[tuple[str, str], tuple[str, set[str]]] = {}  # (identity, name) -> as, by
    for s in subgraphs:
        for link in s.links:
            found = _identity(link)
            for local, original in _composes(s, link) if found else ():
                key = (found[0], original) if found else ("", original)
                composed.setdefault(key, (local, set()))[1].add(s.name)
    hints = []
    for (identity, original), (expected, users) in composed.items():
        different = []
        for s in subgraphs:
            if s.name in users:
                continue
            for link in s.links:
                found = _identity(link)
                if found is None or found[0] != identity:
                    continue
                imported = next((k for k, v in link.imports.items() if v == original), None)
                if imported is not None and imported != expected:
                    different.append(s.name)
        if different:
            hints.append(
                CompositionHint(
                    "DIRECTIVE_COMPOSITION_WARN",
                    f'Composed directive "@{original}" is named differently in a subgraph that '
                    "doesn't export it. Consistent naming will be required to export it.",
                    tuple(different),
                    (f"@{original}",),
                )
            )
    return hints

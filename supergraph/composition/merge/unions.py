"""Unions: the union of every subgraph's members, each member joined to its subgraphs
(INCONSISTENT_UNION_MEMBER when a subgraph lacks one)."""

from __future__ import annotations

from ..errors import subgraph_names
from ..supermodel import MergedType
from .state import MergeState, Source


def merge_union(state: MergeState, merged: MergedType, sources: list[Source]) -> None:
    for s in sources:
        for m in s.type.members:
            if m not in merged.members:
                merged.members.append(m)
            merged.member_joins.append((s.graph, m))
    merged.member_joins.sort(key=lambda j: merged.members.index(j[1]))
    for m in merged.members:
        missing = [s.name for s in sources if m not in s.type.members]
        if missing:
            state.hint(
                "INCONSISTENT_UNION_MEMBER",
                f'Union type "{merged.name}" includes member type "{m}" in some but not all '
                f'defining subgraphs: "{m}" is defined in '
                f"{subgraph_names([s.name for s in sources if m in s.type.members])} but not in "
                f"{subgraph_names(missing)}.",
                [s.name for s in sources],
                merged.name,
            )

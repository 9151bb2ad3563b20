"""Unions: the union of every subgraph's members, each member joined to its subgraphs."""

from __future__ import annotations

from ..supermodel import MergedType
from .state import Source


def merge_union(merged: MergedType, sources: list[Source]) -> None:
    for s in sources:
        for m in s.type.members:
            if m not in merged.members:
                merged.members.append(m)
            merged.member_joins.append((s.graph, m))
    merged.member_joins.sort(key=lambda j: merged.members.index(j[1]))

"""The response shape as plan data: `ShapeField` tables and their conditions.

The planner turns the client's selection into `ShapeField` tables per concrete type once
per document (cached with the plan); `execution/shaping.py` walks the merged subgraph data
with them. They live here, beside the plan, so planning builds them without importing
execution: imports run from execution to planning, never back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# A condition in disjunctive normal form: include when any conjunction of
# (variable, expected value) holds. `ALWAYS` has one empty conjunction.
Cond = tuple[tuple[tuple[str, bool], ...], ...]
ALWAYS: Cond = ((),)

# type wrappers of a field, outermost first (`[Product!]!` is (NONNULL, LIST, NONNULL))
NONNULL = 0
LIST = 1
NAMED = 2


def cond_holds(cond: Cond, variables: Mapping[str, Any]) -> bool:
    for conj in cond:
        for name, expected in conj:
            if bool(variables.get(name)) is not expected:
                break
        else:
            return True
    return False


@dataclass(eq=False)
class ShapeField:
    """One client field as it appears in the response of objects of one concrete type."""

    key: str
    source: str
    wrappers: tuple[int, ...]
    named: str
    cond: Cond | None = None
    is_typename: bool = False
    is_introspection: bool = False
    sub: dict[str, tuple[ShapeField, ...]] | None = None
    enum_values: frozenset[str] | None = None
    static_type: str = ""
    # only in deferred fragments (`@defer`): the ids of those fragments; None otherwise
    defers: frozenset[int] | None = None

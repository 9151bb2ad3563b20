"""Response shaping on the compiled core: `Shaper.shape_root` without `@defer` fragments.

The planner's `ShapeField` tables are compiled once per planned operation into the core's
`ShapePlan`; a request's shaping is then one call that walks the merged data and returns
the client's data and the null-propagation errors, or None when it met data it leaves to
the Python path (a `__typename` that is no string, an unhashable enum value), which then
shapes that response from the start.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..planning.response_shape import ShapeField
from .compiled_cache import CompiledCache
from .core import native_core

_plans: CompiledCache[Any] = CompiledCache()


def shape_root(
    data: dict[str, Any],
    fields: dict[str, tuple[ShapeField, ...]],
    root: str,
    variables: Mapping[str, Any],
    object_types: frozenset[str],
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]] | None:
    """(data, errors) shaped by the compiled core, or None: use the Python path."""
    core = native_core()
    if core is None or type(data) is not dict or type(object_types) is not frozenset:
        return None
    plan = _plans.get((fields,), lambda: core.ShapePlan(fields))
    if type(variables) is not dict:
        variables = dict(variables)
    found: tuple[dict[str, Any] | None, list[dict[str, Any]]] | None = plan.shape_root(
        data, root, variables, object_types
    )
    return found

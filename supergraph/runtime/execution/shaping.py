"""Response shaping from a structure prepared with the plan.

The planner turns the client's selection into `ShapeField` tables per concrete type once
per document (`planning/response_shape.py`). Shaping a response is then a walk over the
merged subgraph data with those tables: aliases, fragments, `__typename`,
`@skip`/`@include`, and GraphQL null propagation (a null in a non-null position nulls the
nearest nullable parent), with Apollo's messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..native.shaping import shape_root as native_shape_root
from ..planning.response_shape import NONNULL, ShapeField, cond_holds


class _Bubble:
    """A null that must propagate, with its error already recorded."""


BUBBLE = _Bubble()
# set on an object whose deferred fragment (`Shaper.boundary`) ends in a null: its payload
# entry is `data: null`, the null going no further up (the fragment's boundary)
FRAGMENT_NULL = "__deferNull"


def type_description(wrappers: tuple[int, ...], named: str) -> str:
    """Print the GraphQL type spelled by `wrappers` + `named` (e.g. `[Product!]`)."""
    if not wrappers:
        return named
    head, rest = wrappers[0], wrappers[1:]
    if head == NONNULL:
        return type_description(rest, named) + "!"
    return "[" + type_description(rest, named) + "]"


class Shaper:
    """Shapes one response; collects the errors null propagation produces."""

    __slots__ = (
        "boundary",
        "enclosing",
        "errors",
        "mark_types",
        "object_types",
        "path",
        "variables",
        "visible",
    )

    def __init__(
        self,
        variables: Mapping[str, Any],
        object_types: frozenset[str],
        visible: frozenset[int] | None = None,
        mark_types: str | None = None,
        boundary: int | None = None,
    ) -> None:
        """`visible`: shape only the fields of these deferred fragments (0: the rest), so a
        fragment not fetched yet is left out rather than read as nulls; `mark_types`: give
        every object its type under this key (to tell fragments' conditions apart);
        `boundary`: the deferred fragment whose nulls stop at the objects it applies to."""
        self.variables = variables
        self.object_types = object_types
        self.visible = visible
        self.mark_types = mark_types
        self.boundary = boundary
        self.enclosing: frozenset[int] | None = None  # the deferred ids of the field above
        self.errors: list[dict[str, Any]] = []
        self.path: list[str | int] = []

    def shape_root(
        self, data: dict[str, Any], fields: dict[str, tuple[ShapeField, ...]], root: str
    ) -> dict[str, Any] | None:
        if self.visible is None and self.mark_types is None and self.boundary is None:
            # the compiled core (runtime/native/), unless off or it leaves this one to us
            shaped = native_shape_root(data, fields, root, self.variables, self.object_types)
            if shaped is not None:
                self.errors.extend(shaped[1])
                return shaped[0]
        out = self.shape_object(data, fields, root, root)
        return None if out is BUBBLE else out  # type: ignore[return-value]

    def shape_object(
        self,
        obj: dict[str, Any],
        by_type: dict[str, tuple[ShapeField, ...]],
        static_type: str,
        parent: str,
    ) -> dict[str, Any] | _Bubble:
        typename = obj.get("__typename") or static_type
        fields = by_type.get(typename)
        if fields is None:
            if typename not in self.object_types:
                self._error(f"Invalid __typename found for object at {self._where(parent)}.")
                return BUBBLE
            fields = ()
        out: dict[str, Any] = {}
        if self.mark_types is not None:
            out[self.mark_types] = typename
        variables = self.variables
        path = self.path
        visible = self.visible
        for sf in fields:
            if sf.cond is not None and not cond_holds(sf.cond, variables):
                continue
            if visible is not None and sf.defers is not None and not (sf.defers & visible):
                continue
            if sf.is_typename:
                if typename not in self.object_types:
                    # known only by an interface (@interfaceObject) whose concrete type could
                    # not be fetched: an interface name is no runtime type
                    self._error(f"Invalid __typename found for object at {self._where(parent)}.")
                    return BUBBLE
                if sf.key not in out:
                    out[sf.key] = typename
                continue
            if sf.is_introspection:
                out[sf.key] = obj.get(sf.source)
                continue
            path.append(sf.key)
            value = self._value(obj.get(sf.source), sf, 0, typename, out.get(sf.key))
            path.pop()
            if value is BUBBLE:
                if sf.wrappers and sf.wrappers[0] == NONNULL:
                    if self.boundary is None or not self._at_boundary(sf):
                        return BUBBLE
                    out[FRAGMENT_NULL] = True
                value = None
            out[sf.key] = value
        return out

    def _value(self, value: Any, sf: ShapeField, depth: int, parent: str, previous: Any) -> Any:
        wrappers = sf.wrappers
        if depth < len(wrappers):
            kind = wrappers[depth]
            if kind == NONNULL:
                result = self._value(value, sf, depth + 1, parent, previous)
                if result is None:
                    self._error(
                        "Cannot return null for non-nullable "
                        f"{self._where(parent, wrappers[depth + 1 :], sf.named)}."
                    )
                    return BUBBLE
                return result
            if value is None:
                return None
            if not isinstance(value, list):
                self._error(f"Invalid value found for {self._where(parent)}.")
                return BUBBLE
            inner_nonnull = depth + 1 < len(wrappers) and wrappers[depth + 1] == NONNULL
            items: list[Any] = []
            nullify = False
            path = self.path
            for index, item in enumerate(value):
                path.append(index)
                shaped = self._value(item, sf, depth + 1, parent, None)
                path.pop()
                if shaped is BUBBLE:
                    if inner_nonnull:
                        nullify = True
                    shaped = None
                items.append(shaped)
            return BUBBLE if nullify else items
        if value is None:
            return None
        if sf.sub is not None:
            if not isinstance(value, dict):
                self._error(f"Invalid value found for {self._where(parent)}.")
                return BUBBLE
            if self.boundary is None:
                shaped_obj = self.shape_object(value, sf.sub, sf.static_type, parent)
            else:
                enclosing, self.enclosing = self.enclosing, sf.defers
                shaped_obj = self.shape_object(value, sf.sub, sf.static_type, parent)
                self.enclosing = enclosing
            if isinstance(previous, dict) and isinstance(shaped_obj, dict):
                previous.update(shaped_obj)
                return previous
            return shaped_obj
        if sf.enum_values is not None and value not in sf.enum_values:
            self._error(f"Invalid value found for {self._where(parent)}.")
            return BUBBLE
        return value

    def _at_boundary(self, sf: ShapeField) -> bool:
        """Whether `sf` is selected by the boundary fragment right on this object."""
        boundary = self.boundary
        enclosing = self.enclosing
        return (
            sf.defers is not None
            and boundary in sf.defers
            and (enclosing is None or boundary not in enclosing)
        )

    def _where(self, parent: str, wrappers: tuple[int, ...] = (), named: str = "") -> str:
        last = self.path[-1] if self.path else ""
        if isinstance(last, str):
            return f"field {parent}.{last}"
        return f"array element of type {type_description(wrappers, named)} at index {last}"

    def _error(self, message: str) -> None:
        self.errors.append(
            {"message": message, "path": list(self.path), "extensions": {"code": "INVALID_GRAPHQL"}}
        )

"""Completing a filtered response: each removed field comes back as null at its path
(GraphQL null propagation applies), in the client's field order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .filter import (
    Level,
    SkipCond,
    denied_error,
)
from .reporting import (
    TYPENAME_ALIAS,
)


class _Bubble:
    """A null that must propagate to the nearest nullable parent."""


BUBBLE = _Bubble()


class Completer:
    """Puts a null and an error where each removed field would have been."""

    def __init__(
        self,
        variables: Mapping[str, Any],
        possible: Callable[[str], tuple[str, ...]],
        initial_payload: bool = False,
    ):
        self.variables = variables
        self.possible = possible
        self.errors: list[dict[str, Any]] = []
        self.path: list[str | int] = []
        # the initial payload of a deferring response leaves deferred fields to their own
        self.initial_payload = initial_payload

    def included(self, skips: tuple[SkipCond, ...]) -> bool:
        for var, literal, wanted in skips:
            value = bool(self.variables.get(var)) if var is not None else literal
            if value is not wanted:
                return False
        return True

    def applies(self, conditions: tuple[str, ...], typename: str | None) -> bool:
        if not conditions:
            return True
        return typename is not None and all(typename in self.possible(c) for c in conditions)

    def object(self, obj: dict[str, Any], level: Level) -> dict[str, Any] | _Bubble:
        typename: str | None = obj.pop(TYPENAME_ALIAS, None) if level.typename_added else None
        if typename is None and not level.abstract:
            typename = level.static_type
        bubble = False
        inserted = False
        for removed in level.removed:
            if removed.key in obj or not self.applies(removed.conditions, typename):
                continue
            if not self.included(removed.skips):
                continue
            if self.initial_payload and any(self.included((d,)) for d in removed.defers):
                continue
            obj[removed.key] = None
            inserted = True
            self.errors.append(denied_error([*self.path, removed.key]))
            bubble |= removed.non_null
        for kept in level.kept:
            if kept.key not in obj or not self.applies(kept.conditions, typename):
                continue
            self.path.append(kept.key)
            value = self.value(obj[kept.key], kept.wrappers, kept.level)
            self.path.pop()
            if value is BUBBLE:
                if kept.wrappers[0]:
                    bubble = True
                value = None
            obj[kept.key] = value
        if bubble:
            return BUBBLE
        if inserted:
            return self.ordered(obj, level, typename)
        return obj

    def value(self, value: Any, wrappers: tuple[bool, ...], level: Level) -> Any:
        if value is None:
            return None
        if len(wrappers) > 1:
            if not isinstance(value, list):
                return value
            item_non_null = wrappers[1]
            items = []
            for index, item in enumerate(value):
                self.path.append(index)
                shaped = self.value(item, wrappers[1:], level)
                self.path.pop()
                if shaped is BUBBLE:
                    if item_non_null:
                        return BUBBLE
                    shaped = None
                items.append(shaped)
            return items
        if not isinstance(value, dict):
            return value
        return self.object(value, level)

    def ordered(self, obj: dict[str, Any], level: Level, typename: str | None) -> dict[str, Any]:
        """The object with its keys in the order the operation asked for them."""
        out: dict[str, Any] = {}
        for key, conditions, skips in level.order:
            if (
                key in obj
                and key not in out
                and self.applies(conditions, typename)
                and self.included(skips)
            ):
                out[key] = obj[key]
        for key, value in obj.items():
            out.setdefault(key, value)
        return out

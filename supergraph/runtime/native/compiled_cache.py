"""Compiled forms of plan data, kept per plan object for as long as the plan lives.

Plans are immutable and cached by the planner (`planning/plan_cache.py`), so each one is
compiled for the native core once. The cache holds the plan object itself beside its
compiled form, so an id is never reused by another object while its entry exists, and
drops the oldest entries past a bound above the plan cache's own (2000 plans).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

LIMIT = 8192


class CompiledCache(Generic[T]):
    """`get(obj, compile)`: `compile(obj)` once per live object, by identity."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._entries: dict[tuple[int, ...], tuple[tuple[Any, ...], T]] = {}

    def get(self, objects: tuple[Any, ...], compile: Callable[[], T]) -> T:
        key = tuple(id(o) for o in objects)
        found = self._entries.get(key)
        if found is not None:
            return found[1]
        compiled = compile()
        if len(self._entries) >= self.limit:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = (objects, compiled)
        return compiled

"""Event-sourced aggregate base: pure domain, no I/O.

A command method checks its guards, then calls `_record(event)`; `_record` applies the
event to state (through `apply`) and queues it. Loading replays stored events through the
same `apply`, so state is only ever changed by events.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from eventbus.events import DomainEvent


class DomainError(Exception):
    """A business rule said no. `code` maps to a GraphQL `extensions.code`."""

    code: ClassVar[str] = "BAD_USER_INPUT"

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class NotFound(DomainError):
    code = "NOT_FOUND"


class Conflict(DomainError):
    code = "CONFLICT"


class Aggregate:
    """Base for aggregates. Subclasses define `context` and `apply(event)`."""

    context: ClassVar[str] = ""

    def __init__(self, aggregate_id: str) -> None:
        self.id = aggregate_id
        self.version = 0
        self._pending: list[DomainEvent] = []

    def apply(self, event: DomainEvent) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _record(self, event: DomainEvent) -> None:
        self.apply(event)
        self.version += 1
        self._pending.append(event)

    def collect(self) -> list[DomainEvent]:
        """Take the events recorded since the last save."""
        pending, self._pending = self._pending, []
        return pending

    @property
    def pending(self) -> tuple[DomainEvent, ...]:
        return tuple(self._pending)

    @classmethod
    def replay(cls, aggregate_id: str, events: list[DomainEvent], version: int = 0) -> Self:
        agg = cls(aggregate_id)
        agg.version = version
        for evt in events:
            agg.apply(evt)
            agg.version += 1
        return agg

    def snapshot_state(self) -> dict[str, Any] | None:
        """Override to support snapshots: a JSON-able dict of the state."""
        return None

    def restore_state(self, state: dict[str, Any]) -> None:  # pragma: no cover
        raise NotImplementedError

"""Human-readable order numbers: `SO-<yyyymmdd>-<nnnn>`, sequential per day.

Each day's counter is its own stream; allocating a number appends to it in the same unit
of work as the order, so two concurrent orders can never share a number (the loser of the
race gets a `ConcurrencyError` and retries with the next number).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from eventbus import Aggregate, DomainEvent
from subgraphs.ordering.domain.events import OrderNumberAllocated


def counter_id(day: date) -> str:
    return str(uuid5(NAMESPACE_URL, f"pos:ordering:order-number:{day.isoformat()}"))


def format_number(day: date, sequence: int) -> str:
    return f"SO-{day:%Y%m%d}-{sequence:04d}"


class OrderNumberCounter(Aggregate):
    context = "ordering"
    snapshot_every = 100  # numbers between snapshots (the repository uses it)

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.last = 0

    def allocate(self, day: date, order_id: str) -> str:
        self._record(
            OrderNumberAllocated(day=day.isoformat(), sequence=self.last + 1, order_id=order_id)
        )
        return format_number(day, self.last)

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, OrderNumberAllocated):
            self.last = event.sequence

    def snapshot_state(self) -> dict[str, Any]:
        """Only the last number: a busy day's counter is loaded for every order placed."""
        return {"last": self.last}

    def restore_state(self, state: dict[str, Any]) -> None:
        self.last = state["last"]

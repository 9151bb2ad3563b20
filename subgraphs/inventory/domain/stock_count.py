"""The StockCount aggregate: one count of a location's shelves, once.

Its `StockCountRecorded` keeps what the books said and what was counted per product;
the variances are booked on the stock items (`StockCounted`) in the same unit of work.
"""

from __future__ import annotations

from typing import ClassVar

from eventbus import Aggregate, Conflict, DomainEvent
from subgraphs.inventory.domain.events import CountLine, StockCountRecorded


class StockCount(Aggregate):
    context: ClassVar[str] = "inventory"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.location_id = ""
        self.lines: list[CountLine] = []

    @property
    def recorded(self) -> bool:
        return self.version > 0 or bool(self.pending)

    def record(self, location_id: str, lines: list[CountLine]) -> None:
        if self.recorded:
            raise Conflict(f"stock count {self.id} was already recorded", field="countId")
        self._record(StockCountRecorded(count_id=self.id, location_id=location_id, lines=lines))

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, StockCountRecorded):
            self.location_id = event.location_id
            self.lines = list(event.lines)

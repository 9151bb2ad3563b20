"""The StoreMovement aggregate: a sale or a return of the sales context, applied once.

One stream per sale or return (id derived from its id), appended in the same unit of
work as the stock items' `StockSold` / `StockReturned`: a redelivered `SaleCompleted`
finds the stream written and changes nothing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar
from uuid import NAMESPACE_URL, uuid5

from eventbus import Aggregate, DomainEvent
from subgraphs.inventory.domain.events import LineQuantity, StoreStockMoved

_NAMESPACE = uuid5(NAMESPACE_URL, "pos:inventory:store-movements")


class MovementKind(StrEnum):
    SALE = "SALE"
    RETURN = "RETURN"


def store_movement_id(kind: MovementKind, document_id: str) -> str:
    return str(uuid5(_NAMESPACE, f"{kind.value}:{document_id}"))


class StoreMovement(Aggregate):
    context: ClassVar[str] = "inventory"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.kind = ""
        self.document_id = ""
        self.location_id = ""
        self.lines: list[LineQuantity] = []

    @classmethod
    def of(cls, kind: MovementKind, document_id: str) -> StoreMovement:
        movement = cls(store_movement_id(kind, document_id))
        movement.kind = kind.value
        movement.document_id = document_id
        return movement

    def record(self, location_id: str, lines: list[LineQuantity]) -> None:
        self._record(
            StoreStockMoved(
                kind=self.kind,
                document_id=self.document_id,
                location_id=location_id,
                lines=lines,
            )
        )

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, StoreStockMoved):
            self.kind = event.kind
            self.document_id = event.document_id
            self.location_id = event.location_id
            self.lines = list(event.lines)

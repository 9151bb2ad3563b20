"""The Reservation aggregate: inventory's side of one order in the saga.

One stream per order (id derived from the order id). Its first event is the answer to
`OrderPlaced`; because that append expects version 0 and commits in the same transaction
as the stock items' reservations, an order is answered, and reserved, at most once, no
matter how often `OrderPlaced` is delivered or how many reactors race on it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar
from uuid import NAMESPACE_URL, uuid5

from eventbus import Aggregate, DomainEvent
from subgraphs.inventory.domain.events import (
    LineQuantity,
    RejectionReason,
    StockCommitted,
    StockReleased,
    StockReservationRejected,
    StockReserved,
)

_NAMESPACE = uuid5(NAMESPACE_URL, "pos:inventory:reservations")


def reservation_id(order_id: str) -> str:
    return str(uuid5(_NAMESPACE, order_id))


class ReservationStatus(StrEnum):
    NONE = "NONE"
    RESERVED = "RESERVED"
    REJECTED = "REJECTED"
    RELEASED = "RELEASED"
    COMMITTED = "COMMITTED"


class Reservation(Aggregate):
    context: ClassVar[str] = "inventory"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.order_id = ""
        self.status = ReservationStatus.NONE
        self.lines: list[LineQuantity] = []

    @classmethod
    def for_order(cls, order_id: str) -> Reservation:
        reservation = cls(reservation_id(order_id))
        reservation.order_id = order_id
        return reservation

    def reserve(self, lines: list[LineQuantity]) -> None:
        self._record(StockReserved(order_id=self.order_id, lines=lines))

    def reject(self, reasons: list[RejectionReason]) -> None:
        self._record(StockReservationRejected(order_id=self.order_id, reasons=reasons))

    def release(self) -> None:
        self._record(StockReleased(order_id=self.order_id, lines=self.lines))

    def commit(self) -> None:
        self._record(StockCommitted(order_id=self.order_id, lines=self.lines))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case StockReserved():
                self.order_id = event.order_id
                self.lines = list(event.lines)
                self.status = ReservationStatus.RESERVED
            case StockReservationRejected():
                self.order_id = event.order_id
                self.status = ReservationStatus.REJECTED
            case StockReleased():
                self.status = ReservationStatus.RELEASED
            case StockCommitted():
                self.status = ReservationStatus.COMMITTED

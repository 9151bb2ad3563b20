"""Inventory's part of the order saga: a reactor on `pos.ordering`.

OrderPlaced -> reserve every line or none (StockReserved / StockReservationRejected);
OrderCancelled -> release what the order holds; OrderShipped -> commit it. It reads the
events by their published type names and fields (ordering's contract), not through
ordering's classes. Every reaction is idempotent: the order's reservation stream records
what was done, so a redelivered event finds nothing left to do.
"""

from __future__ import annotations

from typing import Any

from eventbus import Envelope, topic_for
from eventbus.projection import Projection
from subgraphs.inventory.application.commands import (
    CommitOrder,
    OrderLine,
    ReleaseOrder,
    ReserveOrder,
)
from subgraphs.inventory.application.reservations import ReservationHandlers
from subgraphs.inventory.domain import ReservationStatus

ORDER_PLACED = "pos.ordering.OrderPlaced"
ORDER_CANCELLED = "pos.ordering.OrderCancelled"
ORDER_SHIPPED = "pos.ordering.OrderShipped"


def _name(type_name: str) -> str:
    """``pos.ordering.OrderPlaced.v1`` -> ``pos.ordering.OrderPlaced``."""
    head, _, tail = type_name.rpartition(".v")
    return head if head and tail.isdigit() else type_name


def _order_id(envelope: Envelope) -> str:
    return str(envelope.data.get("order_id") or envelope.subject)


def _lines(data: dict[str, Any]) -> tuple[OrderLine, ...]:
    return tuple(
        OrderLine(product_id=str(line["product_id"]), quantity=int(line["quantity"]))
        for line in data.get("lines") or []
    )


class InventorySaga(Projection):
    name = "inventory.saga"
    topics = (topic_for("ordering"),)

    def __init__(self, handlers: ReservationHandlers) -> None:
        self.handlers = handlers

    async def has_applied(self, envelope: Envelope) -> bool:
        kind = _name(envelope.type)
        if kind not in (ORDER_PLACED, ORDER_CANCELLED, ORDER_SHIPPED):
            return True
        status = await self.handlers.status(_order_id(envelope))
        if kind == ORDER_PLACED:
            return status != ReservationStatus.NONE
        return status != ReservationStatus.RESERVED

    async def apply(self, envelope: Envelope) -> None:
        kind = _name(envelope.type)
        meta = {
            "correlation_id": envelope.correlation_id or envelope.id,
            "causation_id": envelope.id,
        }
        order_id = _order_id(envelope)
        if kind == ORDER_PLACED:
            await self.handlers.reserve(
                ReserveOrder(order_id=order_id, lines=_lines(envelope.data), **meta)
            )
        elif kind == ORDER_CANCELLED:
            await self.handlers.release(ReleaseOrder(order_id=order_id, **meta))
        elif kind == ORDER_SHIPPED:
            await self.handlers.commit(CommitOrder(order_id=order_id, **meta))

    async def reset(self) -> None:
        """A reactor has no read model to drop: its state is in the event store."""

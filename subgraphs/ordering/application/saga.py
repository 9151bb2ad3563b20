"""Ordering's side of the saga: inventory's replies confirm or reject a pending order.

Runs under a `ProjectionRunner` on `pos.inventory`. Idempotent by the order's state: a
reply for an order that is no longer PENDING (already confirmed or rejected, cancelled
meanwhile) changes nothing, so a redelivered event is harmless. Events written here carry
the reply as their causation and the order id as their correlation.
"""

from __future__ import annotations

import logging
from typing import Any

from eventbus import ConcurrencyError, Envelope, topic_for
from eventbus.events import split_type
from eventbus.projection import Projection
from eventbus.repository import EventSourcedRepository
from subgraphs.ordering.application.handlers import Clock, utc_now
from subgraphs.ordering.domain import Order, OrderStatus, RejectionReason

log = logging.getLogger(__name__)

STOCK_RESERVED = "pos.inventory.StockReserved"
STOCK_REJECTED = "pos.inventory.StockReservationRejected"
ATTEMPTS = 5


def order_id_of(envelope: Envelope) -> str | None:
    data = envelope.data
    value = data.get("order_id") or data.get("orderId")
    return str(value) if value else None


def reasons_of(data: dict[str, Any]) -> list[RejectionReason]:
    """Per-line reasons as inventory reports them in `reasons`."""
    raw = data.get("reasons") or []
    reasons = []
    for item in raw:
        reasons.append(
            RejectionReason(
                product_id=str(item.get("product_id") or item.get("productId") or ""),
                reason=str(item.get("reason") or item.get("message") or "not reservable"),
                requested=item.get("requested"),
                available=item.get("available"),
            )
        )
    return reasons


class InventoryReplies(Projection):
    """Reactor: StockReserved -> confirm, StockReservationRejected -> reject."""

    name = "ordering.inventory-replies"
    topics = (topic_for("inventory"),)

    def __init__(self, orders: EventSourcedRepository[Order], clock: Clock = utc_now) -> None:
        self.orders = orders
        self.clock = clock

    async def has_applied(self, envelope: Envelope) -> bool:
        order_id = order_id_of(envelope)
        if split_type(envelope.type)[0] not in (STOCK_RESERVED, STOCK_REJECTED) or not order_id:
            return True
        order = await self.orders.get(order_id)
        return order is None or order.status != OrderStatus.PENDING

    async def reset(self) -> None:
        """Nothing to drop: the effects are events in the orders' streams."""

    async def apply(self, envelope: Envelope) -> None:
        name = split_type(envelope.type)[0]
        order_id = order_id_of(envelope)
        if name not in (STOCK_RESERVED, STOCK_REJECTED) or order_id is None:
            return
        for attempt in range(1, ATTEMPTS + 1):
            order = await self.orders.get(order_id)
            if order is None:
                log.warning("inventory replied %s for unknown order %s", name, order_id)
                return
            if order.status != OrderStatus.PENDING:
                return
            if name == STOCK_RESERVED:
                order.confirm(self.clock())
            else:
                order.reject(reasons_of(envelope.data), self.clock())
            try:
                await self.orders.save(order, correlation_id=order_id, causation_id=envelope.id)
                return
            except ConcurrencyError:
                if attempt == ATTEMPTS:
                    raise

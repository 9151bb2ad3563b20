"""Events of the inventory context, published on `pos.inventory`.

Two kinds of streams: one per stock item (product x warehouse), whose events carry the
levels after the change so a reader never has to sum deltas; and one per order's
reservation, whose `StockReserved` / `StockReservationRejected` answer ordering's
`OrderPlaced` in the saga.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from eventbus import DomainEvent, event


class LineQuantity(BaseModel):
    model_config = ConfigDict(frozen=True)

    product_id: str
    quantity: int


class RejectionReason(BaseModel):
    """Why one line could not be reserved: UNKNOWN_PRODUCT, INSUFFICIENT_STOCK or
    INVALID_QUANTITY (with what was asked for and what was available)."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    reason: str
    requested: int | None = None
    available: int | None = None


@event("pos.inventory.StockReceived")
class StockReceived(DomainEvent):
    product_id: str
    warehouse: str
    quantity: int
    receipt: str
    on_hand: int
    reserved: int


@event("pos.inventory.StockAdjusted")
class StockAdjusted(DomainEvent):
    product_id: str
    warehouse: str
    change: int
    reason: str
    on_hand: int
    reserved: int


@event("pos.inventory.StockItemReserved")
class StockItemReserved(DomainEvent):
    product_id: str
    warehouse: str
    order_id: str
    quantity: int
    on_hand: int
    reserved: int


@event("pos.inventory.StockItemReleased")
class StockItemReleased(DomainEvent):
    product_id: str
    warehouse: str
    order_id: str
    quantity: int
    on_hand: int
    reserved: int


@event("pos.inventory.StockItemCommitted")
class StockItemCommitted(DomainEvent):
    """Shipped: the reserved units left the building (on hand and reserved both drop)."""

    product_id: str
    warehouse: str
    order_id: str
    quantity: int
    on_hand: int
    reserved: int


@event("pos.inventory.StockReserved")
class StockReserved(DomainEvent):
    """Every line of the order is reserved (the saga's success reply)."""

    order_id: str
    lines: list[LineQuantity]


@event("pos.inventory.StockReservationRejected")
class StockReservationRejected(DomainEvent):
    """Nothing was reserved; `reasons` has one entry per line that could not be."""

    order_id: str
    reasons: list[RejectionReason]


@event("pos.inventory.StockReleased")
class StockReleased(DomainEvent):
    order_id: str
    lines: list[LineQuantity]


@event("pos.inventory.StockCommitted")
class StockCommitted(DomainEvent):
    order_id: str
    lines: list[LineQuantity]


STOCK_ITEM_EVENTS = (
    StockReceived,
    StockAdjusted,
    StockItemReserved,
    StockItemReleased,
    StockItemCommitted,
)

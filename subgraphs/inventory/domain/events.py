"""Events of the inventory context, published on `pos.inventory`.

Streams: one per stock item (product x location), whose events carry the levels after
the change so a reader never has to sum deltas; one per order's reservation, whose
`StockReserved` / `StockReservationRejected` answer ordering's `OrderPlaced` in the saga;
one per transfer between locations; one per stock count; and one per sale or return
taken from (or put back into) a store's stock.

A location is `warehouse` in the data (the key predates stores): "MAIN", the warehouse
customer orders reserve from, or a store id of the stores context.
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


@event("pos.inventory.StockSold")
class StockSold(DomainEvent):
    """Goods sold at a register left the store. `on_hand` may be negative: goods in hand
    are sold whatever the books say, and the level asks for a count."""

    product_id: str
    warehouse: str
    sale_id: str
    quantity: int
    on_hand: int
    reserved: int


@event("pos.inventory.StockReturned")
class StockReturned(DomainEvent):
    """Returned goods put back on the store's shelf (restock)."""

    product_id: str
    warehouse: str
    return_id: str
    quantity: int
    on_hand: int
    reserved: int


@event("pos.inventory.StockTransferredOut")
class StockTransferredOut(DomainEvent):
    product_id: str
    warehouse: str
    transfer_id: str
    to_location: str
    quantity: int
    on_hand: int
    reserved: int


@event("pos.inventory.StockTransferredIn")
class StockTransferredIn(DomainEvent):
    product_id: str
    warehouse: str
    transfer_id: str
    from_location: str
    quantity: int
    """What arrived (may differ from what was sent: see TransferReceived)."""
    on_hand: int
    reserved: int


@event("pos.inventory.StockCounted")
class StockCounted(DomainEvent):
    """A count found `counted` units where the books said `on_hand - change`: the
    variance `change` is the adjustment."""

    product_id: str
    warehouse: str
    count_id: str
    counted: int
    change: int
    on_hand: int
    reserved: int


class TransferLine(BaseModel):
    """One product of a received transfer: `difference` = received - sent (negative:
    lost or short in transit; positive: more arrived than was booked out)."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    sent: int
    received: int
    difference: int


@event("pos.inventory.TransferSent")
class TransferSent(DomainEvent):
    transfer_id: str
    from_location: str
    to_location: str
    lines: list[LineQuantity]


@event("pos.inventory.TransferReceived")
class TransferReceived(DomainEvent):
    transfer_id: str
    from_location: str
    to_location: str
    lines: list[TransferLine]


class CountLine(BaseModel):
    """One product of a stock count: the books said `expected`, the shelf `counted`."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    expected: int
    counted: int
    variance: int


@event("pos.inventory.StockCountRecorded")
class StockCountRecorded(DomainEvent):
    count_id: str
    location_id: str
    lines: list[CountLine]


@event("pos.inventory.StoreStockMoved")
class StoreStockMoved(DomainEvent):
    """A sale (kind SALE) or a return (RETURN, restocked lines only) of the sales context
    was applied to a store's stock; the stream (one per sale or return) makes it once."""

    kind: str
    document_id: str
    location_id: str
    lines: list[LineQuantity]


STOCK_ITEM_EVENTS = (
    StockReceived,
    StockAdjusted,
    StockItemReserved,
    StockItemReleased,
    StockItemCommitted,
    StockSold,
    StockReturned,
    StockTransferredOut,
    StockTransferredIn,
    StockCounted,
)

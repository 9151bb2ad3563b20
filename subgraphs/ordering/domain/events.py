"""Events of the ordering context, published on `pos.ordering`.

`OrderPlaced`, `OrderCancelled` and `OrderShipped` carry the lines (product id and
quantity) so inventory can reserve, release or commit without asking ordering anything.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from eventbus import DomainEvent, event


class LineData(BaseModel):
    model_config = ConfigDict(frozen=True)

    product_id: str
    sku: str
    name: str
    quantity: int
    unit_price: str
    line_total: str


class LineQuantity(BaseModel):
    model_config = ConfigDict(frozen=True)

    product_id: str
    quantity: int


class AddressData(BaseModel):
    model_config = ConfigDict(frozen=True)

    line1: str
    line2: str = ""
    city: str
    postal_code: str
    country: str


class RejectionReason(BaseModel):
    """Why inventory could not reserve one line."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    reason: str
    requested: int | None = None
    available: int | None = None


@event("pos.ordering.OrderNumberAllocated")
class OrderNumberAllocated(DomainEvent):
    """A number from the per-day sequence; the stream is the day's counter."""

    day: str
    sequence: int
    order_id: str


@event("pos.ordering.OrderPlaced")
class OrderPlaced(DomainEvent):
    order_id: str
    number: str
    customer_id: str
    lines: list[LineData]
    currency: str
    subtotal: str
    total: str
    shipping_address: AddressData
    placed_at: datetime


@event("pos.ordering.OrderConfirmed")
class OrderConfirmed(DomainEvent):
    order_id: str
    confirmed_at: datetime


@event("pos.ordering.OrderRejected")
class OrderRejected(DomainEvent):
    order_id: str
    reasons: list[RejectionReason]
    rejected_at: datetime


@event("pos.ordering.OrderPaid")
class OrderPaid(DomainEvent):
    order_id: str
    method: str
    amount: str
    currency: str
    paid_at: datetime


@event("pos.ordering.OrderShipped")
class OrderShipped(DomainEvent):
    order_id: str
    lines: list[LineQuantity]
    shipped_at: datetime


@event("pos.ordering.OrderCancelled")
class OrderCancelled(DomainEvent):
    """`previous_status` tells inventory whether stock was reserved (CONFIRMED/PAID)."""

    order_id: str
    reason: str
    previous_status: str
    lines: list[LineQuantity]
    cancelled_at: datetime

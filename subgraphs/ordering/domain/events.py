"""Events of the ordering context, published on `pos.ordering`.

`OrderPlaced`, `OrderCancelled` and `OrderShipped` carry the lines (product id and
quantity) so inventory can reserve, release or commit without asking ordering anything.

Every order event also carries `customer_id` and `status` (the order's status after the
event), so a consumer holding only the event — the gateway filtering live `orderUpdates`
by customer or status — needs no state. Both were added as fields with defaults rather
than as a v2 with an upcaster: the type names (which the gateway's `@eventSource` lists
and consumers match) stay the same, and an upcaster could not do better anyway, since it
sees one event's data and the customer of an old `OrderConfirmed` is only in the
`OrderPlaced` before it. So an event stored before the change reads with `customer_id`
"" (unknown) and the `status` its type implies, which is always right.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

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
    status: Literal["PENDING"] = "PENDING"


@event("pos.ordering.OrderConfirmed")
class OrderConfirmed(DomainEvent):
    order_id: str
    confirmed_at: datetime
    customer_id: str = ""
    status: Literal["CONFIRMED"] = "CONFIRMED"


@event("pos.ordering.OrderRejected")
class OrderRejected(DomainEvent):
    order_id: str
    reasons: list[RejectionReason]
    rejected_at: datetime
    customer_id: str = ""
    status: Literal["REJECTED"] = "REJECTED"


@event("pos.ordering.OrderPaid")
class OrderPaid(DomainEvent):
    order_id: str
    method: str
    amount: str
    currency: str
    paid_at: datetime
    customer_id: str = ""
    status: Literal["PAID"] = "PAID"


@event("pos.ordering.OrderShipped")
class OrderShipped(DomainEvent):
    order_id: str
    lines: list[LineQuantity]
    shipped_at: datetime
    customer_id: str = ""
    status: Literal["SHIPPED"] = "SHIPPED"


@event("pos.ordering.OrderCancelled")
class OrderCancelled(DomainEvent):
    """`previous_status` tells inventory whether stock was reserved (CONFIRMED/PAID)."""

    order_id: str
    reason: str
    previous_status: str
    lines: list[LineQuantity]
    cancelled_at: datetime
    customer_id: str = ""
    status: Literal["CANCELLED"] = "CANCELLED"


@event("pos.ordering.OrderRefunded")
class OrderRefunded(DomainEvent):
    """A PAID order was cancelled: its payment goes back to the customer, by the method it
    was paid with (recorded with the OrderCancelled, in the same unit of work)."""

    order_id: str
    method: str
    amount: str
    currency: str
    reason: str
    refunded_at: datetime
    customer_id: str = ""

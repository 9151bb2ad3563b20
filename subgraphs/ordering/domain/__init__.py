"""Ordering domain: the Order aggregate, order numbering, value objects and events."""

from subgraphs.ordering.domain.events import (
    LineData,
    LineQuantity,
    OrderCancelled,
    OrderConfirmed,
    OrderNumberAllocated,
    OrderPaid,
    OrderPlaced,
    OrderRefunded,
    OrderRejected,
    OrderShipped,
    RejectionReason,
)
from subgraphs.ordering.domain.numbering import OrderNumberCounter, counter_id, format_number
from subgraphs.ordering.domain.order import Order, merge_quantities, price_lines
from subgraphs.ordering.domain.values import (
    Money,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PricedProduct,
    ShippingAddress,
    parse_amount,
)

__all__ = [
    "LineData",
    "LineQuantity",
    "Money",
    "Order",
    "OrderCancelled",
    "OrderConfirmed",
    "OrderLine",
    "OrderNumberAllocated",
    "OrderNumberCounter",
    "OrderPaid",
    "OrderPlaced",
    "OrderRefunded",
    "OrderRejected",
    "OrderShipped",
    "OrderStatus",
    "PaymentMethod",
    "PricedProduct",
    "RejectionReason",
    "ShippingAddress",
    "counter_id",
    "format_number",
    "merge_quantities",
    "parse_amount",
    "price_lines",
]

"""Ordering application layer: commands, handlers, ports and the saga reactor."""

from subgraphs.ordering.application.commands import (
    AddressInput,
    CancelOrder,
    LineInput,
    PayOrder,
    PlaceOrder,
    ShipOrder,
)
from subgraphs.ordering.application.handlers import Clock, OrderHandlers, check_id, utc_now
from subgraphs.ordering.application.ports import CustomerDirectory, KnownCustomerRef, PriceList
from subgraphs.ordering.application.saga import InventoryReplies

__all__ = [
    "AddressInput",
    "CancelOrder",
    "Clock",
    "CustomerDirectory",
    "InventoryReplies",
    "KnownCustomerRef",
    "LineInput",
    "OrderHandlers",
    "PayOrder",
    "PlaceOrder",
    "PriceList",
    "ShipOrder",
    "check_id",
    "utc_now",
]

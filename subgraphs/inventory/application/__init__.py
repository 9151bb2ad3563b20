"""Inventory application layer: stock commands, the saga's reservations, the reactor."""

from subgraphs.inventory.application.commands import (
    AdjustStock,
    CommitOrder,
    OrderLine,
    ReceiveStock,
    ReleaseOrder,
    ReserveOrder,
)
from subgraphs.inventory.application.directory import ProductDirectory
from subgraphs.inventory.application.reservations import ReservationHandlers
from subgraphs.inventory.application.saga import InventorySaga
from subgraphs.inventory.application.stock import StockHandlers, parse_product_id

__all__ = [
    "AdjustStock",
    "CommitOrder",
    "InventorySaga",
    "OrderLine",
    "ProductDirectory",
    "ReceiveStock",
    "ReleaseOrder",
    "ReservationHandlers",
    "ReserveOrder",
    "StockHandlers",
    "parse_product_id",
]

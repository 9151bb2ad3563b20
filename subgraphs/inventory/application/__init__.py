"""Inventory application layer: stock commands, transfers, counts, the saga's
reservations and its reactor, and the reactor that moves store stock on sales."""

from subgraphs.inventory.application.commands import (
    AdjustStock,
    ApplyStoreMovement,
    CommitOrder,
    CountedLine,
    OrderLine,
    ReceiveStock,
    ReceiveTransfer,
    RecordStockCount,
    ReleaseOrder,
    ReserveOrder,
    SendTransfer,
)
from subgraphs.inventory.application.counts import CountHandlers
from subgraphs.inventory.application.directory import LocationDirectory, ProductDirectory
from subgraphs.inventory.application.reservations import ReservationHandlers
from subgraphs.inventory.application.saga import InventorySaga
from subgraphs.inventory.application.stock import StockHandlers, parse_product_id
from subgraphs.inventory.application.store_sales import (
    StoreMovementHandlers,
    StoreSalesReactor,
    movement_of,
)
from subgraphs.inventory.application.transfers import TransferHandlers

__all__ = [
    "AdjustStock",
    "ApplyStoreMovement",
    "CommitOrder",
    "CountHandlers",
    "CountedLine",
    "InventorySaga",
    "LocationDirectory",
    "OrderLine",
    "ProductDirectory",
    "ReceiveStock",
    "ReceiveTransfer",
    "RecordStockCount",
    "ReleaseOrder",
    "ReservationHandlers",
    "ReserveOrder",
    "SendTransfer",
    "StockHandlers",
    "StoreMovementHandlers",
    "StoreSalesReactor",
    "TransferHandlers",
    "movement_of",
    "parse_product_id",
]

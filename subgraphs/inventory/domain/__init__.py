"""The inventory's domain model: stock items and per-order reservations."""

from subgraphs.inventory.domain.events import (
    STOCK_ITEM_EVENTS,
    LineQuantity,
    RejectionReason,
    StockAdjusted,
    StockCommitted,
    StockItemCommitted,
    StockItemReleased,
    StockItemReserved,
    StockReceived,
    StockReleased,
    StockReservationRejected,
    StockReserved,
)
from subgraphs.inventory.domain.reservation import (
    Reservation,
    ReservationStatus,
    reservation_id,
)
from subgraphs.inventory.domain.stock_item import (
    DEFAULT_WAREHOUSE,
    MAX_QUANTITY,
    StockItem,
    stock_item_id,
)

__all__ = [
    "DEFAULT_WAREHOUSE",
    "MAX_QUANTITY",
    "STOCK_ITEM_EVENTS",
    "LineQuantity",
    "RejectionReason",
    "Reservation",
    "ReservationStatus",
    "StockAdjusted",
    "StockCommitted",
    "StockItem",
    "StockItemCommitted",
    "StockItemReleased",
    "StockItemReserved",
    "StockReceived",
    "StockReleased",
    "StockReservationRejected",
    "StockReserved",
    "reservation_id",
    "stock_item_id",
]

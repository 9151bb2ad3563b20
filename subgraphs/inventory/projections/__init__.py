"""Inventory read side: what it knows of the catalog and the stores, stock levels, and
transfers and stock counts."""

from subgraphs.inventory.projections.catalog_products import CatalogProducts, KnownProducts
from subgraphs.inventory.projections.documents import KnownProduct, KnownStore, StockLevel
from subgraphs.inventory.projections.known_stores import KnownStores, KnownStoresProjection
from subgraphs.inventory.projections.movements import (
    Movements,
    StockCountView,
    TransferView,
    count_fold,
    transfer_fold,
)
from subgraphs.inventory.projections.stock_levels import StockLevels, stock_fold

DOCUMENTS = (KnownProduct, KnownStore, StockLevel, TransferView, StockCountView)

__all__ = [
    "DOCUMENTS",
    "CatalogProducts",
    "KnownProduct",
    "KnownProducts",
    "KnownStore",
    "KnownStores",
    "KnownStoresProjection",
    "Movements",
    "StockCountView",
    "StockLevel",
    "StockLevels",
    "TransferView",
    "count_fold",
    "stock_fold",
    "transfer_fold",
]

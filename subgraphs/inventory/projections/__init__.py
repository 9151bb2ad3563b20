"""Inventory read side: what it knows of the catalog, and stock levels."""

from subgraphs.inventory.projections.catalog_products import CatalogProducts, KnownProducts
from subgraphs.inventory.projections.documents import KnownProduct, StockLevel
from subgraphs.inventory.projections.stock_levels import StockLevels

DOCUMENTS = (KnownProduct, StockLevel)

__all__ = [
    "DOCUMENTS",
    "CatalogProducts",
    "KnownProduct",
    "KnownProducts",
    "StockLevel",
    "StockLevels",
]

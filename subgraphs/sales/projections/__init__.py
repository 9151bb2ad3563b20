"""Sales read side: catalog products, stores and registers as a sale needs them, and
this context's own sales, shifts, returns and promotions."""

from subgraphs.sales.projections.catalog_products import CatalogProducts
from subgraphs.sales.projections.directory import (
    ProjectedDirectory,
    promotion_of,
    sale_of,
    shift_of,
    store_info,
)
from subgraphs.sales.projections.documents import (
    DOCUMENTS,
    PromotionView,
    ReturnView,
    SaleProduct,
    SaleRegister,
    SaleStore,
    SaleTaxRegion,
    SaleView,
    ShiftView,
)
from subgraphs.sales.projections.sales_view import SalesView
from subgraphs.sales.projections.stores import StoresDirectory

__all__ = [
    "DOCUMENTS",
    "CatalogProducts",
    "ProjectedDirectory",
    "PromotionView",
    "ReturnView",
    "SaleProduct",
    "SaleRegister",
    "SaleStore",
    "SaleTaxRegion",
    "SaleView",
    "SalesView",
    "ShiftView",
    "StoresDirectory",
    "promotion_of",
    "sale_of",
    "shift_of",
    "store_info",
]

"""Sales read side: catalog products, stores and registers as a sale needs them, and
this context's own sales, shifts, returns and promotions."""

from beanie import Document

from subgraphs.sales.projections.catalog_products import CatalogProducts
from subgraphs.sales.projections.customers import KnownCustomers, SaleCustomer
from subgraphs.sales.projections.directory import (
    ProjectedDirectory,
    promotion_of,
    sale_of,
    shift_of,
    store_info,
)
from subgraphs.sales.projections.documents import (
    DOCUMENTS as OWN_DOCUMENTS,
)
from subgraphs.sales.projections.documents import (
    PromotionView,
    ReturnView,
    SaleProduct,
    SaleRegister,
    SaleStore,
    SaleTaxRegion,
    SaleView,
    ShiftView,
)
from subgraphs.sales.projections.sales_view import SalesView, sale_fold, shift_fold
from subgraphs.sales.projections.stores import StoresDirectory

DOCUMENTS: tuple[type[Document], ...] = (*OWN_DOCUMENTS, SaleCustomer)

__all__ = [
    "DOCUMENTS",
    "CatalogProducts",
    "KnownCustomers",
    "ProjectedDirectory",
    "PromotionView",
    "ReturnView",
    "SaleCustomer",
    "SaleProduct",
    "SaleRegister",
    "SaleStore",
    "SaleTaxRegion",
    "SaleView",
    "SalesView",
    "ShiftView",
    "StoresDirectory",
    "promotion_of",
    "sale_fold",
    "sale_of",
    "shift_fold",
    "shift_of",
    "store_info",
]

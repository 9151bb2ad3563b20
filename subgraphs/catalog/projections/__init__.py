"""Catalog read side: documents and the projection that maintains them."""

from subgraphs.catalog.projections.catalog_view import (
    CatalogView,
    category_fold,
    evolve,
    product_fold,
)
from subgraphs.catalog.projections.documents import CategoryView, ProductView

DOCUMENTS = (CategoryView, ProductView)

__all__ = [
    "DOCUMENTS",
    "CatalogView",
    "CategoryView",
    "ProductView",
    "category_fold",
    "evolve",
    "product_fold",
]

"""Catalog application layer: commands and their handlers."""

from subgraphs.catalog.application.commands import (
    ActivateProduct,
    AddProduct,
    ChangeProductPrice,
    CreateCategory,
    DeactivateProduct,
    RenameProduct,
    SetProductBarcode,
    SetProductTaxClass,
)
from subgraphs.catalog.application.handlers import CatalogHandlers

__all__ = [
    "ActivateProduct",
    "AddProduct",
    "CatalogHandlers",
    "ChangeProductPrice",
    "CreateCategory",
    "DeactivateProduct",
    "RenameProduct",
    "SetProductBarcode",
    "SetProductTaxClass",
]

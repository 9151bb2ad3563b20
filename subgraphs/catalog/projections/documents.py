"""Read models of the catalog (MongoDB via Beanie), shaped for the GraphQL queries."""

from __future__ import annotations

from beanie import Document

from eventbus.readmodel import AppliedMixin


class CategoryView(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the category id, not an ObjectId
    name: str

    class Settings:
        name = "catalog_categories"


class ProductView(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the product id, not an ObjectId
    sku: str
    name: str
    category_id: str
    unit_price: str
    """Decimal as a string: exact, and the same text the events carry."""
    currency: str
    active: bool = True
    barcode: str | None = None
    """As entered: 13 digits (EAN-13) or 12 (UPC-A)."""
    gtin13: str | None = None
    """The barcode's 13-digit form, what `productByBarcode` looks up."""
    tax_class: str = "STANDARD"

    class Settings:
        name = "catalog_products"
        # One index per document: FerretDB 1.24 drops the connection when a restart
        # re-creates two or more existing indexes in one createIndexes call.
        indexes = ["sku"]

"""Events of the catalog context, published on `pos.catalog`.

Prices travel as decimal strings (never floats) with their ISO 4217 currency, so every
consumer (ordering prices lines from them, inventory values stock) reads the exact amount.

Data keys are snake_case (the field names below). `ProductAdded` gained `barcode` and
`tax_class` after events were already recorded without them: readers of the raw data
use `data.get("barcode")` (None: no barcode) and `data.get("tax_class") or "STANDARD"`.
A barcode is the digits as entered (13 for EAN-13, 12 for UPC-A); a UPC-A code and the
EAN-13 code with a leading 0 are the same barcode.
"""

from __future__ import annotations

from eventbus import DomainEvent, event


@event("pos.catalog.CategoryCreated")
class CategoryCreated(DomainEvent):
    category_id: str
    name: str


@event("pos.catalog.ProductAdded")
class ProductAdded(DomainEvent):
    product_id: str
    sku: str
    name: str
    category_id: str
    unit_price: str
    currency: str
    active: bool = True
    barcode: str | None = None
    """EAN-13 or UPC-A digits, check digit valid; absent from events before barcodes."""
    tax_class: str = "STANDARD"
    """Open class name (STANDARD, REDUCED, ZERO, ...); absent from older events."""


@event("pos.catalog.ProductRenamed")
class ProductRenamed(DomainEvent):
    product_id: str
    name: str
    previous_name: str


@event("pos.catalog.ProductPriceChanged")
class ProductPriceChanged(DomainEvent):
    product_id: str
    unit_price: str
    currency: str
    previous_unit_price: str
    previous_currency: str


@event("pos.catalog.ProductDeactivated")
class ProductDeactivated(DomainEvent):
    product_id: str


@event("pos.catalog.ProductActivated")
class ProductActivated(DomainEvent):
    product_id: str


@event("pos.catalog.ProductBarcodeSet")
class ProductBarcodeSet(DomainEvent):
    """The product's barcode is now `barcode`; None: it has none any more."""

    product_id: str
    barcode: str | None
    previous_barcode: str | None


@event("pos.catalog.ProductTaxClassSet")
class ProductTaxClassSet(DomainEvent):
    product_id: str
    tax_class: str
    previous_tax_class: str


@event("pos.catalog.NameClaimed")
class NameClaimed(DomainEvent):
    """A unique name (a product sku, a category name) now belongs to `owner_id`."""

    kind: str
    value: str
    owner_id: str


@event("pos.catalog.NameReleased")
class NameReleased(DomainEvent):
    """`owner_id` gave the unique value up (a barcode removed or replaced): free again."""

    kind: str
    value: str
    owner_id: str

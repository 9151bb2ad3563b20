"""Events of the catalog context, published on `pos.catalog`.

Prices travel as decimal strings (never floats) with their ISO 4217 currency, so every
consumer (ordering prices lines from them, inventory values stock) reads the exact amount.
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


@event("pos.catalog.NameClaimed")
class NameClaimed(DomainEvent):
    """A unique name (a product sku, a category name) now belongs to `owner_id`."""

    kind: str
    value: str
    owner_id: str

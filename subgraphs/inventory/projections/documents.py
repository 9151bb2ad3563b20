"""Read models of the inventory (MongoDB via Beanie)."""

from __future__ import annotations

from beanie import Document

from eventbus.readmodel import AppliedMixin


class KnownProduct(AppliedMixin, Document):
    """Inventory's own copy of what the catalog sells (from `pos.catalog` events)."""

    id: str  # type: ignore[assignment]  # the product id
    sku: str
    name: str
    unit_price: str
    currency: str
    active: bool = True

    class Settings:
        name = "inventory_products"


class KnownStore(AppliedMixin, Document):
    """A store of the stores context (from `pos.stores` events): a location for stock."""

    id: str  # type: ignore[assignment]  # the store id
    code: str
    name: str
    active: bool = True

    class Settings:
        name = "inventory_stores"


class StockLevel(AppliedMixin, Document):
    """One stock item's levels (zeros until the first delivery); `available` is stored so
    low-stock queries can sort on it. `warehouse` is the location: MAIN or a store id."""

    id: str  # type: ignore[assignment]  # the stock item's stream id
    product_id: str
    warehouse: str
    on_hand: int = 0
    reserved: int = 0
    available: int = 0
    needs_count: bool = False
    """On hand is below 0 (sales of goods the books did not have): count the shelf."""
    active: bool = True
    """Mirrors the catalog (MAIN's level): retired products drop out of low-stock lists."""

    class Settings:
        name = "inventory_stock"
        # One index per document: FerretDB 1.24 drops the connection when a restart
        # re-creates two or more existing indexes in one createIndexes call.
        indexes = ["available"]

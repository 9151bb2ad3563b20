"""Read models of the sales context (MongoDB via Beanie).

Two kinds. What other contexts publish, as this context needs it to sell: products
(`SaleProduct`, from pos.catalog), stores, registers and tax regions (`SaleStore`,
`SaleRegister`, `SaleTaxRegion`, from pos.stores). And this context's own aggregates:
`SaleView`, `ShiftView` and `PromotionView` keep their stream's events (a sale has tens,
a busy shift some hundreds) next to the fields queries filter on, and the GraphQL layer
folds them with the domain's own `apply`: the till, the receipt and the reports show
the domain's figures, never a second computation of them. `ReturnView` holds the return
document (ReturnProcessed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie import Document

from eventbus.readmodel import AppliedMixin


class SaleProduct(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the product id
    sku: str
    name: str
    name_lower: str
    unit_price: str
    currency: str
    active: bool = True
    tax_class: str = "STANDARD"
    barcode: str | None = None
    gtin13: str | None = None

    class Settings:
        name = "sales_products"
        indexes = ["sku", "gtin13"]


class SaleStore(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the store id
    code: str
    name: str
    address: dict[str, str]
    currency: str
    tax_region_id: str
    tax_region: str
    pricing_mode: str
    rounding_level: str
    rounding_mode: str
    cash_rounding_increment: str | None = None
    return_window_days: int
    discount_approval_threshold_percent: str
    active: bool = True

    class Settings:
        name = "sales_stores"


class SaleRegister(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the register id
    store_id: str
    code: str
    name: str
    active: bool = True

    class Settings:
        name = "sales_registers"


class SaleTaxRegion(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the region id
    code: str
    rates: dict[str, str]

    class Settings:
        name = "sales_tax_regions"


class SaleView(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the sale id
    store_id: str
    register_id: str
    shift_id: str
    status: str
    currency: str
    started_at: datetime
    started_key: str = ""
    """`started_at` as an ISO string (the register's list's sort key)."""
    started_by: str
    cashier_name: str | None = None
    """The actor's name on the SaleStarted (then SaleCompleted) event."""
    receipt_number: str | None = None
    completed_at: datetime | None = None
    completed_key: str | None = None
    """`completed_at` as an ISO string (the back-office list's sort key)."""
    total: str | None = None
    events: list[dict[str, Any]] = []

    class Settings:
        name = "sales_sales"
        # created one per call (`ensure_indexes`), which FerretDB needs
        indexes = ["register_id", "receipt_number", "store_id"]


class ShiftView(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the shift id
    register_id: str
    store_id: str
    status: str
    opened_at: datetime
    opened_key: str = ""
    """`opened_at` as an ISO string (the shift list's sort key)."""
    changed_at: datetime | None = None
    """When its last event happened: what the live figures are "as of"."""
    closed_at: datetime | None = None
    events: list[dict[str, Any]] = []

    class Settings:
        name = "sales_shifts"
        indexes = ["register_id", "store_id"]


class ReturnView(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the return id
    sale_id: str | None = None
    at: datetime
    data: dict[str, Any]

    class Settings:
        name = "sales_returns"
        indexes = ["sale_id"]


class PromotionView(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the promotion id (uuid5 of its code)
    code: str
    events: list[dict[str, Any]] = []

    class Settings:
        name = "sales_promotions"


DOCUMENTS: tuple[type[Document], ...] = (
    SaleProduct,
    SaleStore,
    SaleRegister,
    SaleTaxRegion,
    SaleView,
    ShiftView,
    ReturnView,
    PromotionView,
)

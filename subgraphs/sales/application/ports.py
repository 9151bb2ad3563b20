"""What the sales application needs from outside: a clock, and what other contexts
publish (products from the catalog, stores, registers and tax rates from the stores
context), read from this context's own projections of their events (`Directory`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

from subgraphs.sales.domain import TaxPolicy, TaxTable

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """A product as the catalog last published it."""

    product_id: str
    sku: str
    name: str
    unit_price: Decimal
    currency: str
    active: bool
    tax_class: str = "STANDARD"
    barcode: str | None = None


@dataclass(frozen=True, slots=True)
class RegisterInfo:
    register_id: str
    store_id: str
    code: str
    name: str
    active: bool


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """A store's selling settings and its region's rates (the stores context's)."""

    store_id: str
    code: str
    name: str
    currency: str
    active: bool
    tax_table: TaxTable
    policy: TaxPolicy
    return_window_days: int
    approval_threshold: Decimal
    address: tuple[str, ...] = field(default=())


class Directory(Protocol):
    async def product(self, product_id: str) -> ProductInfo | None: ...

    async def product_by_sku(self, sku: str) -> ProductInfo | None: ...

    async def product_by_barcode(self, gtin13: str) -> ProductInfo | None: ...

    async def register(self, register_id: str) -> RegisterInfo | None: ...

    async def store(self, store_id: str) -> StoreInfo | None: ...

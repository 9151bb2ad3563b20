"""What the sales application needs from outside: a clock, and what other contexts
publish (products from the catalog, stores, registers and tax rates from the stores
context), read from this context's own projections of their events (`Directory`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

from subgraphs.sales.domain import RoundingLevel, RoundingMode, TaxPolicy, TaxTable
from subgraphs.sales.domain.tax import parse_pricing

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

    @classmethod
    def published(
        cls,
        *,
        store_id: str,
        code: str,
        name: str,
        currency: str,
        active: bool,
        tax_region: str,
        rates: Mapping[str, str],
        pricing_mode: str,
        rounding_level: str,
        rounding_mode: str,
        cash_rounding_increment: str | None,
        return_window_days: int,
        discount_approval_threshold_percent: str,
        address: Mapping[str, str | None],
    ) -> StoreInfo:
        """From the stores context's published settings (its event data keys)."""
        lines = [address.get("line1"), address.get("line2")]
        lines.append(" ".join(x for x in (address.get("postal_code"), address.get("city")) if x))
        return cls(
            store_id=store_id,
            code=code,
            name=name,
            currency=currency,
            active=active,
            tax_table=TaxTable(tax_region, {k: Decimal(v) for k, v in rates.items()}),
            policy=TaxPolicy(
                pricing=parse_pricing(pricing_mode),
                level=RoundingLevel(rounding_level),
                mode=RoundingMode(rounding_mode),
                cash_increment=Decimal(cash_rounding_increment)
                if cash_rounding_increment
                else None,
            ),
            return_window_days=return_window_days,
            approval_threshold=Decimal(discount_approval_threshold_percent),
            address=tuple(x for x in lines if x),
        )


class Directory(Protocol):
    async def product(self, product_id: str) -> ProductInfo | None: ...

    async def product_by_sku(self, sku: str) -> ProductInfo | None: ...

    async def product_by_barcode(self, gtin13: str) -> ProductInfo | None: ...

    async def register(self, register_id: str) -> RegisterInfo | None: ...

    async def store(self, store_id: str) -> StoreInfo | None: ...

    async def customer_exists(self, customer_id: str) -> bool: ...

"""The demo shop floor: stock on the shelves of the stores that sell the demo catalog,
then a few days of sales at their registers (`subgraphs.sales.application.demo`).

Stores sell in their own currency and the demo catalog is priced in EUR, so the EUR
store (S01 Amsterdam, registers R1 and R2) trades and S02 (USD) stays empty. The
supervisor works R1 and the cashier R2; the supervisor also approves the discounts past
the threshold and takes the returns at both. What the sales handlers need of the other
contexts comes from the seed's own data (`DemoDirectory`), so nothing waits for a
projection. Idempotent like the rest of the seed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import TypeVar

from eventbus import EventStore
from subgraphs.hosting.commands import Handled, execute
from subgraphs.inventory.application import ReceiveStock, StockHandlers
from subgraphs.inventory.domain import stock_item_id
from subgraphs.sales.application import ProductInfo, RegisterInfo, StoreInfo
from subgraphs.sales.application.demo import (
    PAST_DAYS,
    SALES_PER_SHIFT,
    TODAY_SALES,
    DemoDirectory,
    DemoMember,
    seed_demo_sales,
)
from subgraphs.seed.data import CURRENCY, PRODUCTS, seed_id
from subgraphs.staff import DEMO_STAFF
from subgraphs.staff.application.demo import demo_staff_id
from subgraphs.staff.domain.roles import scopes_for
from subgraphs.stores.application.demo import (
    DEMO_REGIONS,
    DEMO_STORES,
    demo_register_id,
    demo_store_id,
)

C = TypeVar("C")
R = TypeVar("R")

SHELF_SHARE = 4
"""A quarter of each product's warehouse stock is on the trading store's shelves."""
STAFF_AT_THE_TILLS = ("supervisor", "cashier")
"""Who works the registers (the first one approves); usernames of the staff seed."""


class _Locations:
    """Inventory's `LocationDirectory` for the demo stores the seed has just opened."""

    def __init__(self, store_ids: set[str]) -> None:
        self.store_ids = store_ids

    async def exists(self, location_id: str) -> bool:
        return location_id in self.store_ids

    async def is_open(self, location_id: str) -> bool:
        return location_id in self.store_ids


class _Products:
    def __init__(self, product_ids: set[str]) -> None:
        self.product_ids = product_ids

    async def exists(self, product_id: str) -> bool:
        return product_id in self.product_ids


def demo_directory() -> DemoDirectory:
    products = [
        ProductInfo(
            product_id=seed_id("product", p.sku),
            sku=p.sku,
            name=p.name,
            unit_price=Decimal(p.price),
            currency=CURRENCY,
            active=True,
            tax_class=p.tax_class,
            barcode=p.barcode,
        )
        for p in PRODUCTS
    ]
    rates = {region.code: region.rates for region in DEMO_REGIONS}
    stores = [
        StoreInfo.published(
            store_id=demo_store_id(s.code),
            code=s.code,
            name=s.name,
            currency=s.currency,
            active=True,
            tax_region=s.tax_region,
            rates=rates[s.tax_region],
            pricing_mode=s.pricing_mode,
            rounding_level=s.rounding_level,
            rounding_mode=s.rounding_mode,
            cash_rounding_increment=s.cash_rounding_increment,
            return_window_days=30,
            discount_approval_threshold_percent="20",
            address={
                "line1": s.address.line1,
                "line2": s.address.line2,
                "postal_code": s.address.postal_code,
                "city": s.address.city,
            },
        )
        for s in DEMO_STORES
    ]
    registers = [
        RegisterInfo(demo_register_id(s.code, code), demo_store_id(s.code), code, name, True)
        for s in DEMO_STORES
        for code, name in s.registers
    ]
    return DemoDirectory(products, stores, registers)


def demo_staff() -> list[DemoMember]:
    by_name = {member.username: member for member in DEMO_STAFF}
    return [
        DemoMember(
            staff_id=demo_staff_id(name),
            name=by_name[name].display_name,
            scopes=frozenset(scopes_for([by_name[name].role])),
        )
        for name in STAFF_AT_THE_TILLS
    ]


def planned_sales() -> int:
    """How many demo sales the registers of the trading stores ring up."""
    directory = demo_directory()
    trading = {s.store_id for s in directory.stores if s.currency == CURRENCY}
    registers = [r for r in directory.registers if r.store_id in trading]
    return len(registers) * (PAST_DAYS * SALES_PER_SHIFT + TODAY_SALES)


async def seed_shop_floor(services: Mapping[str, EventStore]) -> int:
    """Shelf stock (inventory) and the demo days (sales); events written (0: done)."""
    directory = demo_directory()
    trading = [s for s in directory.stores if s.currency == CURRENCY]
    written = 0
    if "inventory" in services:
        stock = StockHandlers(
            services["inventory"],
            _Products({p.product_id for p in directory.products}),
            _Locations({s.store_id for s in directory.stores}),
        )

        async def run(handler: Callable[[C], Awaitable[Handled[R]]], command: C) -> int:
            return len((await execute(handler, command)).envelopes)

        for store in trading:
            for demo, product in zip(PRODUCTS, directory.products, strict=True):
                item = stock_item_id(product.product_id, store.store_id)
                if await services["inventory"].stream_version(item) > 0:
                    continue
                written += await run(
                    stock.receive,
                    ReceiveStock(
                        product_id=product.product_id,
                        quantity=max(demo.stock // SHELF_SHARE, 1),
                        receipt=f"SEED-{store.code}-{demo.sku}",
                        location_id=store.store_id,
                    ),
                )
    written += await seed_demo_sales(services["sales"], directory, demo_staff())
    return written

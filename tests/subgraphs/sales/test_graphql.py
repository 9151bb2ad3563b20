"""The sales subgraph through its app (embedded mode: SQLite, in-process bus), with the
catalog and stores contexts feeding it their events: sales by barcode in a
tax-inclusive and a tax-exclusive store, split tenders, approvals, park/resume, retries,
returns, shifts, and bad input refused with its code and nothing written."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from subgraphs.catalog import CATALOG
from subgraphs.sales.context import SALES
from subgraphs.stores import STORES, seed_demo_stores
from tests.subgraphs.hosting.harness import running
from tests.subgraphs.sales.shop import (
    AMS,
    NYC,
    Shop,
    eur,
    usd,
)


@pytest.fixture(scope="module")
async def shop(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Shop]:
    async with running(
        [CATALOG, STORES, SALES], backend="sqlite", tmp_path=tmp_path_factory.mktemp("sales")
    ) as h:
        await seed_demo_stores(h.store)
        await h.settle()
        yield Shop(h)


async def test_a_sale_by_barcode_in_a_tax_inclusive_store(shop: Shop) -> None:
    register = await shop.register(AMS)
    beans = await shop.product("12.50", tax_class="REDUCED")
    mug = await shop.product("8.00")
    await shop.open_shift(register, "100.00", "EUR")
    sale = await shop.start(register)
    await shop.scan(sale["id"], beans["barcode"], 2)
    sale = await shop.scan(sale["id"], mug["barcode"])
    assert sale["total"] == eur("33.00")
    sale = await shop.tender(sale["id"], "CASH", eur("50.00"))
    done = await shop.complete(sale["id"])
    print(done)
    assert done["sale"]["status"] == "COMPLETED"


async def test_a_sale_in_a_tax_exclusive_store(shop: Shop) -> None:
    register = await shop.register(NYC)
    beans = await shop.product("10.00", "USD")
    await shop.open_shift(register, "50.00", "USD")
    sale = await shop.start(register)
    sale = await shop.scan(sale["id"], beans["barcode"])
    assert sale["total"] == usd("10.89")

"""The sku and barcode guards under concurrency: of many simultaneous adds with one sku
(or one barcode), exactly one wins, on PostgreSQL and on SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest

from eventbus import Conflict
from eventbus.sqlstore import SqlEventStore
from subgraphs.catalog.application import AddProduct, CatalogHandlers, CreateCategory
from subgraphs.catalog.domain import claim_id, with_check_digit
from subgraphs.hosting.commands import execute


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path, h6_pg_url: str
) -> AsyncIterator[SqlEventStore]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'sku.db'}" if request.param == "sqlite" else h6_pg_url
    store = SqlEventStore(url)
    await store.start()
    yield store
    await store.close()


async def test_one_sku_one_product_under_concurrency(store: SqlEventStore) -> None:
    handlers = CatalogHandlers(store)
    category = (await handlers.create_category(CreateCategory(name=f"C {uuid4().hex}"))).value
    sku = f"RACE-{uuid4().hex[:8]}"
    commands = [
        AddProduct(
            sku=sku, name=f"Racer {i}", category_id=category.id, unit_price="1", currency="EUR"
        )
        for i in range(12)
    ]
    results = await asyncio.gather(
        *(execute(handlers.add_product, c, retries=20) for c in commands), return_exceptions=True
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1
    assert len(losers) == 11 and all(isinstance(e, Conflict) for e in losers)
    claim = await store.read_stream(claim_id("sku", sku))
    assert len(claim) == 1
    assert claim[0].data["owner_id"] == winners[0].value.id
    assert await store.read_stream(winners[0].value.id) != []


async def test_one_barcode_one_product_under_concurrency(store: SqlEventStore) -> None:
    handlers = CatalogHandlers(store)
    category = (await handlers.create_category(CreateCategory(name=f"C {uuid4().hex}"))).value
    barcode = with_check_digit(f"{uuid4().int % 10**12:012d}")
    commands = [
        AddProduct(
            sku=f"BC-{uuid4().hex[:8]}",
            name=f"Racer {i}",
            category_id=category.id,
            unit_price="1",
            currency="EUR",
            barcode=barcode,
        )
        for i in range(8)
    ]
    results = await asyncio.gather(
        *(execute(handlers.add_product, c, retries=20) for c in commands), return_exceptions=True
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(e, Conflict) for e in losers) and len(losers) == 7
    claim = await store.read_stream(claim_id("barcode", barcode))
    assert [e.data["owner_id"] for e in claim] == [winners[0].value.id]

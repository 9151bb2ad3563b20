"""Sales on the real services: PostgreSQL event store, Kafka bus (private topic prefix),
FerretDB read models, with catalog, stores and inventory. A sale by barcode takes the
goods out of the store's stock over Kafka, a return puts them back, a retried
completeSale sells once, and tills completing at once on one register get gap-free
numbers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from subgraphs.inventory import INVENTORY
from tests.subgraphs.sales.shop import (
    AMS,
    COMPLETE,
    MANAGER,
    RETURN_SALE,
    Shop,
    cid,
    codes,
    eur,
    open_shop,
)

RECEIVE = """mutation($id: ID!, $q: Int!, $loc: ID) {
  receiveStock(input: {productId: $id, quantity: $q, receipt: "DN-S", locationId: $loc}) {
    onHand } }"""
STOCK_AT = """query($id: ID!, $loc: ID) { stockItem(productId: $id, locationId: $loc) {
  onHand needsCount } }"""


@pytest.fixture(scope="module")
async def shop(tmp_path_factory: pytest.TempPathFactory, h6_pg_url: str) -> AsyncIterator[Shop]:
    async with open_shop(
        tmp_path_factory.mktemp("sales-services"),
        backend="postgresql",
        pg_url=h6_pg_url,
        more=[INVENTORY],
    ) as opened:
        yield opened


async def stock_at(shop: Shop, product_id: str) -> dict[str, object]:
    found = await shop.data(
        STOCK_AT, {"id": product_id, "loc": AMS}, claims=MANAGER, context="inventory"
    )
    item: dict[str, object] = found["stockItem"]
    return item


async def test_a_sale_and_a_return_move_the_stores_stock_once(shop: Shop) -> None:
    register = await shop.register(AMS)
    product = await shop.product("4.00")
    await shop.data(
        RECEIVE, {"id": product["id"], "q": 10, "loc": AMS}, claims=MANAGER, context="inventory"
    )
    await shop.open_shift(register, "20.00", "EUR")
    sale = await shop.start(register)
    await shop.scan(sale["id"], product["barcode"], 3)
    await shop.tender(sale["id"], "CASH", eur("20.00"))
    complete = {"c": cid(), "s": sale["id"]}
    done = (await shop.data(COMPLETE, complete))["completeSale"]
    retried = (await shop.data(COMPLETE, complete))["completeSale"]
    assert retried["receipt"]["number"] == done["receipt"]["number"]
    assert done["sale"]["balance"]["change"] == eur("8.00")
    await shop.h.settle()
    assert await stock_at(shop, product["id"]) == {"onHand": 7, "needsCount": False}
    back = {
        "c": cid(),
        "r": register,
        "s": sale["id"],
        "lines": [{"lineId": "L1", "quantity": 1}],
        "why": "spare",
    }
    returned = (await shop.data(RETURN_SALE, back))["returnSale"]
    assert returned["refunded"] == eur("4.00")
    await shop.data(RETURN_SALE, back)  # retried: no second refund, no second restock
    await shop.h.settle()
    assert await stock_at(shop, product["id"]) == {"onHand": 8, "needsCount": False}


async def test_tills_completing_at_once_share_the_register_sequence_without_gaps(
    shop: Shop,
) -> None:
    register = await shop.register(AMS)
    product = await shop.product("1.00")
    await shop.open_shift(register, "0.00", "EUR")
    sales = []
    for _ in range(4):
        sale = await shop.start(register)
        await shop.scan(sale["id"], product["barcode"])
        await shop.tender(sale["id"], "CASH", eur("1.00"))
        sales.append(sale["id"])
    answers = await asyncio.gather(
        *(shop.gql(COMPLETE, {"c": cid(), "s": sale_id}) for sale_id in sales)
    )
    assert all(not codes(a) for a in answers), answers
    numbers = sorted(a["data"]["completeSale"]["receipt"]["number"][-6:] for a in answers)
    assert numbers == ["000001", "000002", "000003", "000004"]
    await shop.h.settle()
    # goods in hand drive stock negative: flagged for a count, never clamped
    assert await stock_at(shop, product["id"]) == {"onHand": -4, "needsCount": True}

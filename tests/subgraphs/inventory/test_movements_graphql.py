"""Transfers and stock counts as the back office lists them (`inventory.movements`):
by id, per location either way, newest first, by status; bad ids refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from subgraphs.catalog import CATALOG
from subgraphs.inventory import INVENTORY
from subgraphs.stores.application.demo import seed_demo_stores
from tests.subgraphs.hosting.harness import Harness, running
from tests.subgraphs.inventory.test_locations_graphql import (
    AMS,
    COUNT,
    NYC,
    RECEIVE,
    RECEIVE_TRANSFER,
    SEND,
    codes,
    new_product,
)

TRANSFER = """query($id: ID!) { transfer(id: $id) {
  id fromLocation toLocation status lines { productId sent received difference } } }"""
TRANSFERS = """query($loc: ID, $status: TransferStatus) {
  transfers(locationId: $loc, status: $status) { totalCount nodes { id status } } }"""
COUNTS = """query($loc: ID) { stockCounts(locationId: $loc) { totalCount
  nodes { id locationId lines { productId expected counted variance } } } }"""


@pytest.fixture(scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running(
        [CATALOG, INVENTORY], backend="sqlite", tmp_path=tmp_path_factory.mktemp("movements")
    ) as harness:
        await seed_demo_stores(harness.store)
        await harness.settle()
        yield harness


async def test_transfers_are_listed_per_location_with_what_arrived(h: Harness) -> None:
    pid = await new_product(h)
    await h.data("inventory", RECEIVE, {"id": pid, "q": 10, "r": "DN-M", "loc": None})
    first = str(uuid4())
    lines = [{"productId": pid, "quantity": 4}]
    await h.data("inventory", SEND, {"from": "MAIN", "to": AMS, "lines": lines, "tid": first})
    second = str(uuid4())
    await h.data("inventory", SEND, {"from": "MAIN", "to": NYC, "lines": lines, "tid": second})
    await h.settle()
    seen = await h.data("inventory", TRANSFER, {"id": first})
    assert seen["transfer"] == {
        "id": first,
        "fromLocation": "MAIN",
        "toLocation": AMS,
        "status": "IN_TRANSIT",
        "lines": [{"productId": pid, "sent": 4, "received": None, "difference": None}],
    }
    arrived = [{"productId": pid, "quantity": 3}]
    await h.data("inventory", RECEIVE_TRANSFER, {"tid": first, "lines": arrived})
    await h.settle()
    seen = await h.data("inventory", TRANSFER, {"id": first})
    assert seen["transfer"]["status"] == "RECEIVED"
    assert seen["transfer"]["lines"] == [
        {"productId": pid, "sent": 4, "received": 3, "difference": -1}
    ]
    at_ams = await h.data("inventory", TRANSFERS, {"loc": AMS})
    assert at_ams["transfers"]["nodes"][0] == {"id": first, "status": "RECEIVED"}
    from_main = await h.data("inventory", TRANSFERS, {"loc": "main"})
    ids = [n["id"] for n in from_main["transfers"]["nodes"]]
    assert ids.index(second) < ids.index(first)  # newest first
    moving = await h.data("inventory", TRANSFERS, {"loc": "MAIN", "status": "IN_TRANSIT"})
    assert second in [n["id"] for n in moving["transfers"]["nodes"]]
    assert first not in [n["id"] for n in moving["transfers"]["nodes"]]
    missing = await h.data("inventory", TRANSFER, {"id": str(uuid4())})
    assert missing["transfer"] is None
    bad = await h.gql("inventory", TRANSFERS, {"loc": "S01"})
    assert codes(bad) == ["BAD_USER_INPUT"]


async def test_stock_counts_are_listed_per_location(h: Harness) -> None:
    pid = await new_product(h)
    await h.data("inventory", RECEIVE, {"id": pid, "q": 5, "r": "DN-C", "loc": NYC})
    counted = await h.data(
        "inventory", COUNT, {"loc": NYC, "lines": [{"productId": pid, "counted": 3}]}
    )
    await h.settle()
    listed = await h.data("inventory", COUNTS, {"loc": NYC})
    newest = listed["stockCounts"]["nodes"][0]
    assert newest["lines"] == [{"productId": pid, "expected": 5, "counted": 3, "variance": -2}]
    assert newest["locationId"] == NYC == counted["recordStockCount"]["locationId"]
    one = await h.data(
        "inventory",
        "query($id: ID!) { stockCount(id: $id) { id lines { variance } } }",
        {"id": newest["id"]},
    )
    assert one["stockCount"] == {"id": newest["id"], "lines": [{"variance": -2}]}
    elsewhere = await h.data("inventory", COUNTS, {"loc": AMS})
    assert newest["id"] not in [n["id"] for n in elsewhere["stockCounts"]["nodes"]]

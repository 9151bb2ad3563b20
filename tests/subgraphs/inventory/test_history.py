"""Inventory `history` and `asOf`: stock items (also through the `Product` extension, as
a referencing subgraph asks for them) and transfers, through the subgraph's endpoint
(embedded), against states computed by hand."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from subgraphs.catalog import CATALOG
from subgraphs.inventory import INVENTORY
from subgraphs.stores.application.demo import seed_demo_stores
from tests.subgraphs.hosting.harness import Harness, running
from tests.subgraphs.inventory.test_locations_graphql import (
    AMS,
    RECEIVE,
    RECEIVE_TRANSFER,
    SEND,
    new_product,
)

ADJUST = """mutation($id: ID!, $c: Int!, $r: String!) {
  adjustStock(input: {productId: $id, change: $c, reason: $r}) { onHand } }"""
ITEM = """query($id: ID!, $at: DateTime) { stockItem(productId: $id, asOf: $at) {
  asOf onHand available version history { totalCount edges { node { name
    changes { field before after } } } } } }"""
ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Product { asOf onHand stockAt(locationId: "MAIN") { onHand asOf } } } }"""
TRANSFER = """query($id: ID!, $at: DateTime) { transfer(id: $id, asOf: $at) {
  asOf status lines { sent received } history { edges { node { name } } } } }"""


@pytest.fixture(scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running(
        [CATALOG, INVENTORY], backend="sqlite", tmp_path=tmp_path_factory.mktemp("inv-history")
    ) as harness:
        await seed_demo_stores(harness.store)
        await harness.settle()
        yield harness


async def _instant() -> datetime:
    await asyncio.sleep(0.02)
    moment = datetime.now(UTC)
    await asyncio.sleep(0.02)
    return moment


async def test_stock_item_as_of_and_history(h: Harness) -> None:
    pid = await new_product(h)
    t0 = await _instant()
    await h.data(
        "inventory", RECEIVE, {"id": pid, "q": 12, "r": f"DN-{uuid4().hex[:6]}", "loc": None}
    )
    t1 = await _instant()
    await h.data("inventory", ADJUST, {"id": pid, "c": -5, "r": "dropped a crate"})
    t2 = await _instant()

    before = (await h.data("inventory", ITEM, {"id": pid, "at": t0.isoformat()}))["stockItem"]
    assert (before["onHand"], before["version"]) == (0, 0)  # zeros before the first delivery
    assert before["history"]["totalCount"] == 0
    at_t1 = (await h.data("inventory", ITEM, {"id": pid, "at": t1.isoformat()}))["stockItem"]
    assert (at_t1["onHand"], at_t1["available"], at_t1["version"]) == (12, 12, 1)
    assert datetime.fromisoformat(at_t1["asOf"]) == t1
    now = (await h.data("inventory", ITEM, {"id": pid, "at": None}))["stockItem"]
    assert (now["onHand"], now["asOf"]) == (7, None)
    events = [e["node"] for e in now["history"]["edges"]]
    assert [e["name"] for e in events] == ["StockAdjusted", "StockReceived"]
    assert {"field": "onHand", "before": "12", "after": "7"} in events[0]["changes"]

    reps = [
        {"__typename": "Product", "id": pid, "asOf": t0.isoformat()},
        {"__typename": "Product", "id": pid, "asOf": t1.isoformat()},
        {"__typename": "Product", "id": pid, "asOf": t2.isoformat()},
        {"__typename": "Product", "id": pid},
    ]
    products = (await h.data("inventory", ENTITIES, {"r": reps}))["_entities"]
    assert [p["onHand"] for p in products] == [0, 12, 7, 7]
    assert [p["stockAt"]["onHand"] for p in products] == [0, 12, 7, 7]
    assert products[1]["stockAt"]["asOf"] == products[1]["asOf"]
    assert products[3]["asOf"] is None

    future = await h.gql(
        "inventory", ITEM, {"id": pid, "at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}
    )
    assert future["errors"][0]["extensions"]["reason"] == "AS_OF_IN_FUTURE"
    unknown = await h.data(
        "inventory", ITEM, {"id": "00000000-0000-4000-8000-000000000000", "at": t1.isoformat()}
    )
    assert unknown == {"stockItem": None}


async def test_transfer_as_of_and_history(h: Harness) -> None:
    pid = await new_product(h)
    await h.data(
        "inventory", RECEIVE, {"id": pid, "q": 10, "r": f"DN-{uuid4().hex[:6]}", "loc": None}
    )
    tid = str(uuid4())
    lines = [{"productId": pid, "quantity": 4}]
    await h.data("inventory", SEND, {"from": "MAIN", "to": AMS, "lines": lines, "tid": tid})
    t_sent = await _instant()
    await h.data(
        "inventory", RECEIVE_TRANSFER, {"tid": tid, "lines": [{"productId": pid, "quantity": 3}]}
    )
    then = (await h.data("inventory", TRANSFER, {"id": tid, "at": t_sent.isoformat()}))["transfer"]
    assert (then["status"], then["lines"]) == ("IN_TRANSIT", [{"sent": 4, "received": None}])
    now = (await h.data("inventory", TRANSFER, {"id": tid, "at": None}))["transfer"]
    assert (now["status"], now["lines"]) == ("RECEIVED", [{"sent": 4, "received": 3}])
    assert [e["node"]["name"] for e in now["history"]["edges"]] == [
        "TransferReceived",
        "TransferSent",
    ]
    early = await h.gql(
        "inventory", TRANSFER, {"id": tid, "at": (t_sent - timedelta(minutes=5)).isoformat()}
    )
    assert early["errors"][0]["extensions"]["reason"] == "AS_OF_BEFORE_CREATION"

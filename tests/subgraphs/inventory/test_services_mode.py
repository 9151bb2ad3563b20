"""Catalog and inventory on the real services: PostgreSQL event store, Kafka bus (private
topic prefix), FerretDB read models. Mutations read their own writes across Kafka, and the
saga runs over it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest

from subgraphs.catalog import CATALOG
from subgraphs.inventory import INVENTORY
from subgraphs.inventory.domain import reservation_id
from tests.subgraphs.catalog.queries import add_product, create_category
from tests.subgraphs.hosting.harness import Harness, running
from tests.subgraphs.inventory.test_saga import RECEIVE, STOCK, order_event, publish


@pytest.fixture(scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory, h6_pg_url: str) -> AsyncIterator[Harness]:
    async with running(
        [CATALOG, INVENTORY],
        backend="postgresql",
        tmp_path=tmp_path_factory.mktemp("services"),
        pg_url=h6_pg_url,
    ) as harness:
        yield harness


async def test_catalog_to_inventory_to_saga_over_kafka(h: Harness, tmp_path: Path) -> None:
    category = await create_category(h, f"Kafka {uuid4().hex[:6]}")
    product = await add_product(h, category["id"], amount="3.10")
    # Read-your-writes through relay -> Kafka -> projection -> FerretDB.
    found = await h.data(
        "catalog", "query($id: ID!) { product(id: $id) { sku } }", {"id": product["id"]}
    )
    assert found == {"product": {"sku": product["sku"]}}
    await h.settle()
    pid = product["id"]
    await h.data("inventory", RECEIVE, {"id": pid, "q": 5, "r": "DN-K1"})
    orders = [str(uuid4()), str(uuid4())]
    await publish(h, *(order_event("OrderPlaced", order, [(pid, 3)], 1) for order in orders))
    # Different orders land on different partitions: either may be served first.
    answers = sorted(
        [(await h.store.read_stream(reservation_id(order)))[0] for order in orders],
        key=lambda e: e.type,
    )
    assert [e.type for e in answers] == [
        "pos.inventory.StockReservationRejected.v1",
        "pos.inventory.StockReserved.v1",
    ]
    assert answers[0].data["reasons"][0]["available"] == 2
    assert (await h.data("inventory", STOCK, {"id": pid}))["stockItem"] == {
        "onHand": 5,
        "reserved": 3,
        "available": 2,
    }
    data = await h.data(
        "inventory",
        """query($reps: [_Any!]!) { _entities(representations: $reps) {
          ... on Product { stockValue { amount currency } } } }""",
        {
            "reps": [
                {
                    "__typename": "Product",
                    "id": pid,
                    "unitPrice": {"amount": "3.10", "currency": "EUR"},
                }
            ]
        },
    )
    assert data["_entities"] == [{"stockValue": {"amount": "15.50", "currency": "EUR"}}]
    ready = await h.clients["inventory"].get("/ready")
    assert ready.status_code == 200, ready.text

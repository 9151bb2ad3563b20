"""The inventory side of the order saga, driven by OrderPlaced/OrderCancelled/OrderShipped
events on the bus (embedded: SQLite + in-process bus), the way ordering publishes them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from eventbus import Envelope, topic_for
from subgraphs.catalog import CATALOG
from subgraphs.inventory import INVENTORY
from subgraphs.inventory.domain import reservation_id
from tests.subgraphs.catalog.queries import add_product, create_category
from tests.subgraphs.hosting.harness import Harness, running

STOCK = """query($id: ID!) { stockItem(productId: $id) { onHand reserved available } }"""
RECEIVE = """mutation($id: ID!, $q: Int!, $r: String!) {
  receiveStock(input: {productId: $id, quantity: $q, receipt: $r}) { onHand available } }"""


@pytest.fixture(scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running(
        [CATALOG, INVENTORY], backend="sqlite", tmp_path=tmp_path_factory.mktemp("saga")
    ) as harness:
        yield harness


async def stocked_product(h: Harness, units: int) -> str:
    category = await create_category(h)
    product = await add_product(h, category["id"])
    await h.settle()
    if units:
        await h.data("inventory", RECEIVE, {"id": product["id"], "q": units, "r": "DN-1"})
    product_id: str = product["id"]
    return product_id


def order_event(kind: str, order_id: str, lines: list[tuple[str, int]], version: int) -> Envelope:
    data: dict[str, Any] = {
        "order_id": order_id,
        "lines": [{"product_id": p, "quantity": q} for p, q in lines],
    }
    if kind == "OrderPlaced":
        data |= {"number": "2026-000001", "customer_id": str(uuid4()), "currency": "EUR"}
    return Envelope(
        type=f"pos.ordering.{kind}.v1",
        source="ordering",
        subject=order_id,
        data=data,
        stream_version=version,
        time=datetime.now(UTC),
    )


async def publish(h: Harness, *envelopes: Envelope) -> None:
    """As ordering does: append to the order's stream; the relay puts it on the bus."""
    for envelope in envelopes:
        await h.store.append(envelope.subject, envelope.stream_version - 1, [envelope])
    await h.settle()


async def answers(h: Harness, order_id: str) -> list[Envelope]:
    return await h.store.read_stream(reservation_id(order_id))


async def levels(h: Harness, product_id: str) -> dict[str, int]:
    data = await h.data("inventory", STOCK, {"id": product_id})
    result: dict[str, int] = data["stockItem"]
    return result


async def test_an_order_that_fits_is_reserved_and_shipping_commits_it(h: Harness) -> None:
    a = await stocked_product(h, 10)
    b = await stocked_product(h, 5)
    order = str(uuid4())
    await publish(h, order_event("OrderPlaced", order, [(a, 3), (b, 5), (a, 1)], 1))
    (answer,) = await answers(h, order)
    assert answer.type == "pos.inventory.StockReserved.v1"
    assert answer.topic == topic_for("inventory")
    assert answer.data["lines"] == [
        {"product_id": a, "quantity": 4},
        {"product_id": b, "quantity": 5},
    ]
    assert answer.causation_id is not None
    assert await levels(h, a) == {"onHand": 10, "reserved": 4, "available": 6}
    assert await levels(h, b) == {"onHand": 5, "reserved": 5, "available": 0}

    await publish(h, order_event("OrderShipped", order, [(a, 4), (b, 5)], 2))
    assert [e.type for e in await answers(h, order)][-1] == "pos.inventory.StockCommitted.v1"
    assert await levels(h, a) == {"onHand": 6, "reserved": 0, "available": 6}
    assert await levels(h, b) == {"onHand": 0, "reserved": 0, "available": 0}


async def test_all_or_nothing_with_a_reason_per_failing_line(h: Harness) -> None:
    a = await stocked_product(h, 10)
    b = await stocked_product(h, 2)
    unknown = str(uuid4())
    order = str(uuid4())
    await publish(h, order_event("OrderPlaced", order, [(a, 3), (b, 5), (unknown, 1)], 1))
    (answer,) = await answers(h, order)
    assert answer.type == "pos.inventory.StockReservationRejected.v1"
    assert answer.data["reasons"] == [
        {"product_id": b, "reason": "INSUFFICIENT_STOCK", "requested": 5, "available": 2},
        {"product_id": unknown, "reason": "UNKNOWN_PRODUCT", "requested": None, "available": None},
    ]
    assert await levels(h, a) == {"onHand": 10, "reserved": 0, "available": 10}
    assert await levels(h, b) == {"onHand": 2, "reserved": 0, "available": 2}


async def test_cancel_releases_and_redelivery_changes_nothing(h: Harness) -> None:
    a = await stocked_product(h, 4)
    order = str(uuid4())
    placed = order_event("OrderPlaced", order, [(a, 4)], 1)
    await publish(h, placed)
    # The relay may publish twice (crash after the ack): deliver the same event again.
    await h.services.transport.publish(topic_for("ordering"), [placed])
    await h.settle()
    assert len(await answers(h, order)) == 1
    assert await levels(h, a) == {"onHand": 4, "reserved": 4, "available": 0}

    cancelled = order_event("OrderCancelled", order, [(a, 4)], 2)
    await publish(h, cancelled)
    await h.services.transport.publish(topic_for("ordering"), [cancelled, placed])
    await h.settle()
    assert [e.type for e in await answers(h, order)] == [
        "pos.inventory.StockReserved.v1",
        "pos.inventory.StockReleased.v1",
    ]
    assert await levels(h, a) == {"onHand": 4, "reserved": 0, "available": 4}

    saga = next(r for r in h.views["inventory"].runners if r.projection.name == "inventory.saga")
    assert saga.metrics.skipped >= 2
    assert saga.metrics.dead_lettered == 0

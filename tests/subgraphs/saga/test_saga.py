"""The order saga end to end, on both paths: embedded (SQLite + in-process bus) and
services (PostgreSQL + Kafka), with the relay, every projection and both reactors running.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from eventbus import topic_for
from subgraphs import CONTEXTS
from tests.subgraphs.saga.stack import open_stack
from tests.subgraphs.saga.world import World, build_world

CONTEXT_NAMES = ("catalog", "inventory", "customers", "ordering", "reporting")


@pytest.fixture(scope="module", params=["embedded", "services"])
async def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    tmp: Path = tmp_path_factory.mktemp(f"saga-{request.param}")
    contexts = [CONTEXTS[name] for name in CONTEXT_NAMES]
    async with open_stack(contexts, mode=request.param, tmp_path=tmp) as stack:
        yield await build_world(stack)


async def test_place_confirm_pay_ship_commits_inventory(world: World) -> None:
    order = await world.place((world.tea, 2), (world.mug, 1))
    assert order["status"] == "PENDING"
    await world.stack.settle()
    assert (await world.order(order["id"]))["status"] == "CONFIRMED"
    assert await world.stock(world.tea) == {"onHand": 10, "reserved": 2, "available": 8}
    assert (await world.pay(order))["status"] == "PAID"
    assert (await world.ship(order["id"]))["status"] == "SHIPPED"
    await world.stack.settle()
    assert await world.stock(world.tea) == {"onHand": 8, "reserved": 0, "available": 8}
    assert await world.stock(world.mug) == {"onHand": 4, "reserved": 0, "available": 4}


async def test_insufficient_stock_rejects_with_reasons_and_reserves_nothing(world: World) -> None:
    before = await world.stock(world.tea)
    order = await world.place((world.tea, 1), (world.rare, 5))
    await world.stack.settle()
    rejected = await world.order(order["id"])
    assert rejected["status"] == "REJECTED"
    assert rejected["rejectionReasons"] == [
        {"productId": world.rare, "reason": "INSUFFICIENT_STOCK", "requested": 5, "available": 1}
    ]
    assert await world.stock(world.tea) == before
    assert await world.stock(world.rare) == {"onHand": 1, "reserved": 0, "available": 1}


async def test_cancel_releases_the_reservation(world: World) -> None:
    order = await world.place((world.mug, 2))
    await world.stack.settle()
    assert (await world.order(order["id"]))["status"] == "CONFIRMED"
    held = await world.stock(world.mug)
    assert held["reserved"] == 2
    assert (await world.cancel(order["id"]))["status"] == "CANCELLED"
    await world.stack.settle()
    assert await world.stock(world.mug) == {**held, "reserved": 0, "available": held["onHand"]}


async def test_redelivered_events_change_nothing(world: World) -> None:
    order = await world.place((world.tea, 1))
    await world.stack.settle()
    paid = await world.pay(await world.order(order["id"]))
    assert paid["status"] == "PAID"
    await world.stack.settle()
    store = world.stack.store
    history = await store.read_all(0, 100_000)
    versions = {e.subject: await store.stream_version(e.subject) for e in history}
    stock = {p: await world.stock(p) for p in (world.tea, world.mug, world.rare)}
    # Every event of every context, published a second time (what a relay that crashed
    # after Kafka's ack and before marking its outbox rows would do).
    for context in CONTEXT_NAMES:
        mine = [e for e in history if e.source == context]
        await world.stack.transport.publish(topic_for(context), mine)
    await world.stack.settle()
    assert len(await store.read_all(0, 100_000)) == len(history)
    assert {s: await store.stream_version(s) for s in versions} == versions
    assert {p: await world.stock(p) for p in stock} == stock
    assert (await world.order(order["id"]))["status"] == "PAID"
    skipped = sum(r.metrics.skipped for r in world.stack.runners)
    assert skipped >= len(history)

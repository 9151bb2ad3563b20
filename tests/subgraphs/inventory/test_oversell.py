"""No oversell: 50 orders race for 10 units of one product, on PostgreSQL and on SQLite.

Every order is also delivered twice at the same moment (two reactors racing on the same
event), which must not reserve anything twice.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest

from eventbus.repository import EventSourcedRepository
from eventbus.sqlstore import SqlEventStore
from subgraphs.inventory.application import (
    OrderLine,
    ReleaseOrder,
    ReservationHandlers,
    ReserveOrder,
)
from subgraphs.inventory.domain import (
    Reservation,
    ReservationStatus,
    StockItem,
    reservation_id,
    stock_item_id,
)
from tests.subgraphs.inventory.fakes import FixedDirectory

ORDERS = 50
STOCK = 10


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path, h6_pg_url: str
) -> AsyncIterator[SqlEventStore]:
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'oversell.db'}"
        if request.param == "sqlite"
        else h6_pg_url
    )
    store = SqlEventStore(url, pool_size=20, max_overflow=40)
    await store.start()
    yield store
    await store.close()


async def test_concurrent_orders_never_oversell(store: SqlEventStore) -> None:
    product = str(uuid4())
    handlers = ReservationHandlers(store, FixedDirectory(product))
    items = EventSourcedRepository(store, StockItem)
    item = StockItem.for_product(product)
    item.receive(STOCK, "DN-1")
    await items.save(item)

    rng = random.Random(7)
    orders = {str(uuid4()): rng.choice([1, 1, 2, 3]) for _ in range(ORDERS)}
    commands = [
        ReserveOrder(order_id=order, lines=(OrderLine(product, quantity),))
        for order, quantity in orders.items()
    ]
    await asyncio.gather(*(handlers.reserve(c) for c in commands + commands))

    final = await items.load(stock_item_id(product))
    reservations = EventSourcedRepository(store, Reservation)
    reserved: dict[str, int] = {}
    rejected: dict[str, int] = {}
    for order, quantity in orders.items():
        stream = await store.read_stream(reservation_id(order))
        assert len(stream) == 1, f"order {order} answered {len(stream)} times"
        reservation = await reservations.load(reservation_id(order))
        if reservation.status == ReservationStatus.RESERVED:
            reserved[order] = quantity
        else:
            assert reservation.status == ReservationStatus.REJECTED
            rejected[order] = quantity

    assert final.reservations == reserved
    assert sum(reserved.values()) == final.reserved <= STOCK
    assert final.on_hand == STOCK
    assert final.available == STOCK - sum(reserved.values()) >= 0
    # Exactly the orders that fit: every rejected order asked for more than was left.
    assert all(quantity > final.available for quantity in rejected.values())
    assert len(reserved) + len(rejected) == ORDERS

    rejection = await store.read_stream(reservation_id(next(iter(rejected))))
    (reason,) = rejection[0].data["reasons"]
    assert reason["reason"] == "INSUFFICIENT_STOCK"
    assert reason["product_id"] == product
    assert reason["requested"] > reason["available"] >= 0

    # Cancelling everything concurrently gives every unit back, once.
    releases = [ReleaseOrder(order_id=order) for order in reserved]
    await asyncio.gather(*(handlers.release(c) for c in releases + releases))
    final = await items.load(stock_item_id(product))
    assert (final.on_hand, final.reserved, final.available) == (STOCK, 0, STOCK)

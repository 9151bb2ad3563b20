"""Snapshots of the streams that grow for as long as the shop runs: a register's receipt
sequence, a day's order-number counter and a product's stock at a location.

What a user would notice without them: completing a sale, placing an order or selling a
product gets slower with every sale ever made at that register or of that product. The
tests check that a loaded aggregate reads only the events since its last snapshot, that
it behaves exactly as the fully replayed one (next number, stock figures, retries), and
that a snapshot the code can no longer read costs a full replay, not a failure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from eventbus import Snapshot
from eventbus.ports import EventStore
from eventbus.repository import EventSourcedRepository
from eventbus.sqlstore import SqlEventStore
from subgraphs.inventory.domain import StockItem
from subgraphs.ordering.domain import OrderNumberCounter, counter_id
from subgraphs.sales.domain import ReceiptSequence

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlEventStore]:
    store = SqlEventStore(f"sqlite+aiosqlite:///{tmp_path / 'events.db'}")
    await store.start()
    try:
        yield store
    finally:
        await store.close()


class CountingStore:
    """The store, counting the events `read_stream` hands out."""

    def __init__(self, store: SqlEventStore) -> None:
        self.store = store
        self.read = 0

    async def read_stream(self, stream_id: str, from_version: int = 1) -> Any:
        events = await self.store.read_stream(stream_id, from_version=from_version)
        self.read += len(events)
        return events

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def _take(sequence: ReceiptSequence, sale: str) -> str:
    return sequence.take(
        sale, store_code="AMS", register_code="R1", by="cashier", now=NOW, command_id=f"c-{sale}"
    )


async def test_a_register_sequence_loads_from_its_snapshot_and_numbers_on(
    store: SqlEventStore,
) -> None:
    repo = EventSourcedRepository(
        store, ReceiptSequence, snapshot_every=ReceiptSequence.snapshot_every
    )
    sequence = ReceiptSequence.for_register("reg-1")
    for i in range(1, 251):  # one save per sale, as completing does
        _take(sequence, f"sale-{i}")
        await repo.save(sequence)
    snapshot = await store.load_snapshot(sequence.id)
    assert snapshot is not None and snapshot.version == 200
    counting = CountingStore(store)
    loaded = await EventSourcedRepository(
        cast(EventStore, counting),
        ReceiptSequence,
        snapshot_every=ReceiptSequence.snapshot_every,
    ).load(sequence.id)
    assert counting.read == 50  # the 50 numbers since the snapshot, not 250
    replayed = await EventSourcedRepository(store, ReceiptSequence).load(sequence.id)
    assert (loaded.version, loaded.last) == (replayed.version, replayed.last) == (250, 250)
    assert _take(loaded, "sale-251") == _take(replayed, "sale-251") == "AMS-R1-000251"
    # a retry of a recent sale keeps its number on the loaded one too, recording nothing
    assert _take(loaded, "sale-249") == "AMS-R1-000249"
    assert len(loaded.pending) == 1


async def test_a_days_order_counter_and_a_stock_item_load_from_snapshots(
    store: SqlEventStore,
) -> None:
    day = date(2026, 12, 7)
    counters = EventSourcedRepository(
        store, OrderNumberCounter, snapshot_every=OrderNumberCounter.snapshot_every
    )
    counter = OrderNumberCounter(counter_id(day))
    for i in range(120):
        counter.allocate(day, f"order-{i}")
        await counters.save(counter)
    loaded = await counters.load(counter.id)
    assert loaded.allocate(day, "order-next") == "SO-20261207-0121"

    items = EventSourcedRepository(store, StockItem, snapshot_every=StockItem.snapshot_every)
    item = StockItem.for_product("p-1")
    item.receive(500, "delivery-1")
    await items.save(item)
    for i in range(110):
        item.sell(f"sale-{i}", 2)
        await items.save(item)
    item.reserve("order-1", 3)
    await items.save(item)
    counting = CountingStore(store)
    from_snapshot = await EventSourcedRepository(
        cast(EventStore, counting),
        StockItem,
        snapshot_every=StockItem.snapshot_every,
    ).load(item.id)
    assert counting.read == 12  # versions 101-112
    full = await EventSourcedRepository(store, StockItem).load(item.id)
    for agg in (from_snapshot, full):
        assert (agg.on_hand, agg.reserved, agg.available, agg.version) == (280, 3, 277, 112)
        assert agg.reservations == {"order-1": 3} and agg.receipts == {"delivery-1"}
    with pytest.raises(Exception, match="already recorded"):
        from_snapshot.receive(1, "delivery-1")  # the receipt is remembered across the snapshot


async def test_a_snapshot_the_code_cannot_read_costs_a_replay_not_a_failure(
    store: SqlEventStore,
) -> None:
    repo = EventSourcedRepository(
        store, ReceiptSequence, snapshot_every=ReceiptSequence.snapshot_every
    )
    sequence = ReceiptSequence.for_register("reg-2")
    for i in range(1, 4):
        _take(sequence, f"sale-{i}")
    await repo.save(sequence)
    # written by an older release, in a shape this one does not know
    await store.save_snapshot(Snapshot(sequence.id, 2, {"counter": 2}))
    loaded = await repo.load(sequence.id)
    assert (loaded.last, loaded.version) == (3, 3)
    assert _take(loaded, "sale-4") == "AMS-R1-000004"

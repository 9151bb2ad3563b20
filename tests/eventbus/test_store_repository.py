"""The event-sourced repository over the SQL store, on both backends."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from eventbus import (
    Aggregate,
    ConcurrencyError,
    DomainEvent,
    Envelope,
    NotFound,
    Snapshot,
    UnknownEvent,
    event,
    registry,
)
from eventbus.repository import EventSourcedRepository, UnreadableStream, to_domain
from eventbus.sqlstore import SqlEventStore


@event("pos.testing.TillOpened")
class TillOpened(DomainEvent):
    name: str


@event("pos.testing.CashAdded")
class CashAdded(DomainEvent):
    cents: int


@event("pos.testing.CashAdded", version=2)
class CashAddedV2(DomainEvent):
    cents: int
    currency: str


registry.add_upcaster("pos.testing.CashAdded", 1, lambda data: {**data, "currency": "EUR"})


class Till(Aggregate):
    context = "testing"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.name = ""
        self.cents = 0
        self.applied = 0

    @classmethod
    def open(cls, name: str) -> Till:
        till = cls(str(uuid4()))
        till._record(TillOpened(name=name))
        return till

    def add(self, cents: int) -> None:
        self._record(CashAddedV2(cents=cents, currency="EUR"))

    def apply(self, event: DomainEvent) -> None:
        self.applied += 1
        if isinstance(event, TillOpened):
            self.name = event.name
        elif isinstance(event, CashAddedV2):
            self.cents += event.cents

    def snapshot_state(self) -> dict[str, Any] | None:
        return {"name": self.name, "cents": self.cents}

    def restore_state(self, state: dict[str, Any]) -> None:
        self.name = state["name"]
        self.cents = state["cents"]


async def test_save_then_load_rebuilds_the_aggregate(event_store: SqlEventStore) -> None:
    repo = EventSourcedRepository(event_store, Till)
    till = Till.open("front desk")
    till.add(500)
    till.add(250)
    stored = await repo.save(till, correlation_id="req-1", causation_id="cmd-1")

    assert till.pending == ()
    assert [e.type for e in stored] == [
        "pos.testing.TillOpened.v1",
        "pos.testing.CashAdded.v2",
        "pos.testing.CashAdded.v2",
    ]
    assert {(e.source, e.subject, e.correlation_id, e.causation_id) for e in stored} == {
        ("testing", till.id, "req-1", "cmd-1")
    }
    assert [e.stream_version for e in stored] == [1, 2, 3]

    loaded = await repo.load(till.id)
    assert (loaded.name, loaded.cents, loaded.version) == ("front desk", 750, 3)
    loaded.add(1)
    await repo.save(loaded)
    assert (await repo.load(till.id)).cents == 751
    rows = await event_store.outbox.pending()
    assert [r.envelope.stream_version for r in rows] == [1, 2, 3, 4]


async def test_missing_aggregate(event_store: SqlEventStore) -> None:
    repo = EventSourcedRepository(event_store, Till)
    assert await repo.get(str(uuid4())) is None
    with pytest.raises(NotFound, match="Till"):
        await repo.load(str(uuid4()))


async def test_saving_nothing_writes_nothing(event_store: SqlEventStore) -> None:
    repo = EventSourcedRepository(event_store, Till)
    till = Till.open("x")
    await repo.save(till)
    assert await repo.save(till) == []
    assert await event_store.stream_version(till.id) == 1


async def test_two_copies_saving_is_a_concurrency_error(event_store: SqlEventStore) -> None:
    repo = EventSourcedRepository(event_store, Till)
    till = Till.open("x")
    await repo.save(till)
    first, second = await repo.load(till.id), await repo.load(till.id)
    first.add(1)
    second.add(2)
    await repo.save(first)
    with pytest.raises(ConcurrencyError):
        await repo.save(second)
    assert (await repo.load(till.id)).cents == 1


async def test_snapshot_is_written_every_n_versions_with_the_append(
    event_store: SqlEventStore,
) -> None:
    repo = EventSourcedRepository(event_store, Till, snapshot_every=3)
    till = Till.open("x")
    till.add(1)
    await repo.save(till)
    assert await event_store.load_snapshot(till.id) is None  # version 2: none due yet
    till.add(2)
    till.add(3)
    await repo.save(till)  # crosses 3
    assert await event_store.load_snapshot(till.id) == Snapshot(
        till.id, 4, {"name": "x", "cents": 6}
    )


async def test_load_starts_from_the_snapshot(event_store: SqlEventStore) -> None:
    plain = EventSourcedRepository(event_store, Till)
    till = Till.open("x")
    till.add(1)
    till.add(10)
    await plain.save(till)
    # A snapshot that disagrees with the stream proves which one load used.
    await event_store.save_snapshot(Snapshot(till.id, 2, {"name": "from snapshot", "cents": 100}))
    loaded = await EventSourcedRepository(event_store, Till, snapshot_every=50).load(till.id)
    assert (loaded.name, loaded.cents, loaded.version, loaded.applied) == (
        "from snapshot",
        110,
        3,
        1,
    )
    assert (await plain.load(till.id)).cents == 11  # without snapshots: the full replay


async def test_rolled_back_save_leaves_no_snapshot(event_store: SqlEventStore) -> None:
    repo = EventSourcedRepository(event_store, Till, snapshot_every=1)
    till = Till.open("x")
    with pytest.raises(RuntimeError):
        async with event_store.unit_of_work() as uow:
            await repo.save(till, uow=uow)
            raise RuntimeError("a later step of the command failed")
    assert await event_store.load_snapshot(till.id) is None
    assert await repo.get(till.id) is None


async def test_one_unit_of_work_saves_two_aggregates(event_store: SqlEventStore) -> None:
    repo = EventSourcedRepository(event_store, Till)
    one, two = Till.open("one"), Till.open("two")
    async with event_store.unit_of_work() as uow:
        await repo.save(one, uow=uow)
        await repo.save(two, uow=uow)
    assert (await repo.load(one.id)).name == "one"
    assert (await repo.load(two.id)).name == "two"


async def test_old_event_versions_are_upcast_on_load(event_store: SqlEventStore) -> None:
    till_id = str(uuid4())
    old = [
        Envelope("pos.testing.TillOpened.v1", "testing", till_id, {"name": "old"}, 0),
        Envelope("pos.testing.CashAdded.v1", "testing", till_id, {"cents": 7}, 0),
    ]
    await event_store.append(till_id, 0, old)
    loaded = await EventSourcedRepository(event_store, Till).load(till_id)
    assert loaded.cents == 7


def test_unknown_event_type_decodes_to_unknown_event() -> None:
    envelope = Envelope("pos.testing.NeverHeardOf.v3", "testing", "s-1", {"x": 1}, 1)
    decoded = to_domain(envelope)
    assert decoded == UnknownEvent(type="pos.testing.NeverHeardOf.v3", data={"x": 1})
    assert to_domain(
        Envelope("pos.testing.CashAdded.v2", "testing", "s", {"cents": 1, "currency": "USD"}, 1)
    ) == CashAddedV2(cents=1, currency="USD")


async def test_loading_a_stream_with_an_unknown_type_says_what_is_missing(
    event_store: SqlEventStore,
) -> None:
    till_id = str(uuid4())
    await event_store.append(
        till_id, 0, [Envelope("pos.testing.FromTheFuture.v1", "testing", till_id, {}, 0)]
    )
    with pytest.raises(UnreadableStream, match="FromTheFuture"):
        await EventSourcedRepository(event_store, Till).load(till_id)

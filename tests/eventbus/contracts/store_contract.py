"""Contract tests for the `EventStore` and `Outbox` ports.

Each adapter subclasses `EventStoreContract` and provides a `store` fixture: a started,
empty store. The same assertions then hold for every backend.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from eventbus import ConcurrencyError, Envelope, EventStore, Outbox, Snapshot


def new_events(stream_id: str, count: int, *, source: str = "testing") -> list[Envelope]:
    return [
        Envelope(
            type="pos.testing.Happened.v1",
            source=source,
            subject=stream_id,
            data={"n": n, "nested": {"list": [1, "two", None]}, "text": "caffè ☕"},
            stream_version=0,
        )
        for n in range(count)
    ]


def stream() -> str:
    return str(uuid4())


def outbox_of(store: EventStore) -> Outbox:
    """The agreed API: a store exposes the outbox its appends write to as `.outbox`."""
    outbox = getattr(store, "outbox", None)
    assert isinstance(outbox, Outbox), "an event store must expose its Outbox as .outbox"
    return outbox


class EventStoreContract:
    """What every event store does. Subclasses provide the `store` fixture."""

    # --- appending and reading -------------------------------------------------------

    async def test_append_numbers_versions_after_expected_and_sets_positions(
        self, store: EventStore
    ) -> None:
        sid = stream()
        first = await store.append(sid, 0, new_events(sid, 2))
        second = await store.append(sid, 2, new_events(sid, 3))
        assert [e.stream_version for e in first + second] == [1, 2, 3, 4, 5]
        positions = [e.position or 0 for e in first + second]
        assert all(p > 0 for p in positions)
        assert positions == sorted(positions) and len(set(positions)) == 5
        assert await store.stream_version(sid) == 5

    async def test_read_stream_returns_what_was_appended_in_version_order(
        self, store: EventStore
    ) -> None:
        sid = stream()
        written = new_events(sid, 3)
        written[1] = Envelope(
            type="pos.testing.Other.v2",
            source="testing",
            subject=sid,
            data={"amount": "12.50"},
            stream_version=0,
            time=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=2))),
            correlation_id="corr-1",
            causation_id="cause-1",
        )
        stored = await store.append(sid, 0, written)
        read = await store.read_stream(sid)
        assert read == stored
        assert [e.id for e in read] == [e.id for e in written]
        assert read[1].time == written[1].time  # same instant, returned in UTC
        assert read[1].time.utcoffset() == timedelta(0)
        assert (read[1].correlation_id, read[1].causation_id) == ("corr-1", "cause-1")
        assert read[0].data == written[0].data
        assert await store.read_stream(sid, from_version=3) == stored[2:]

    async def test_unknown_stream_is_empty_at_version_zero(self, store: EventStore) -> None:
        assert await store.read_stream(stream()) == []
        assert await store.stream_version(stream()) == 0

    async def test_read_all_orders_every_stream_by_position(self, store: EventStore) -> None:
        a, b = stream(), stream()
        await store.append(a, 0, new_events(a, 2))
        await store.append(b, 0, new_events(b, 1))
        await store.append(a, 2, new_events(a, 1))
        everything = await store.read_all()
        assert [(e.subject, e.stream_version) for e in everything] == [
            (a, 1),
            (a, 2),
            (b, 1),
            (a, 3),
        ]
        positions = [e.position or 0 for e in everything]
        assert positions == sorted(positions)
        page = await store.read_all(from_position=positions[0], limit=2)
        assert page == everything[1:3]
        assert await store.read_all(from_position=positions[-1]) == []

    async def test_read_all_pages_through_gaps_left_by_rollbacks(self, store: EventStore) -> None:
        a, b = stream(), stream()
        await store.append(a, 0, new_events(a, 1))
        with pytest.raises(RuntimeError):
            async with store.unit_of_work() as uow:
                await uow.append(b, 0, new_events(b, 3))
                raise RuntimeError("command failed")
        await store.append(b, 0, new_events(b, 1))
        seen: list[Envelope] = []
        position = 0
        while page := await store.read_all(from_position=position, limit=1):
            seen += page
            position = page[-1].position or 0
        assert [(e.subject, e.stream_version) for e in seen] == [(a, 1), (b, 1)]

    async def test_appending_nothing_is_a_no_op(self, store: EventStore) -> None:
        assert await store.append(stream(), 0, []) == []
        assert await store.read_all() == []

    async def test_subject_must_be_the_stream(self, store: EventStore) -> None:
        with pytest.raises(ValueError, match="subject"):
            await store.append(stream(), 0, new_events(stream(), 1))
        assert await store.read_all() == []

    # --- optimistic concurrency ------------------------------------------------------

    @pytest.mark.parametrize("expected", [0, 1, 3])
    async def test_wrong_expected_version_raises_and_writes_nothing(
        self, store: EventStore, expected: int
    ) -> None:
        sid = stream()
        await store.append(sid, 0, new_events(sid, 2))
        with pytest.raises(ConcurrencyError) as caught:
            await store.append(sid, expected, new_events(sid, 1))
        assert (caught.value.stream_id, caught.value.expected_version) == (sid, expected)
        assert await store.stream_version(sid) == 2
        assert await outbox_of(store).count_pending() == 2

    async def test_twenty_concurrent_appends_at_one_version_have_one_winner(
        self, store: EventStore
    ) -> None:
        sid = stream()
        await store.append(sid, 0, new_events(sid, 1))
        attempts = [new_events(sid, 2) for _ in range(20)]
        results = await asyncio.gather(
            *(store.append(sid, 1, batch) for batch in attempts), return_exceptions=True
        )
        winners = [i for i, r in enumerate(results) if not isinstance(r, BaseException)]
        losers = [r for r in results if isinstance(r, BaseException)]
        assert len(winners) == 1
        assert all(isinstance(r, ConcurrencyError) for r in losers), losers
        won = attempts[winners[0]]
        read = await store.read_stream(sid)
        assert [e.id for e in read[1:]] == [e.id for e in won]
        assert [e.stream_version for e in read] == [1, 2, 3]
        rows = await outbox_of(store).pending()
        assert [r.envelope.id for r in rows[1:]] == [e.id for e in won]
        assert len(rows) == 3

    async def test_concurrent_appends_to_different_streams_all_succeed(
        self, store: EventStore
    ) -> None:
        ids = [stream() for _ in range(20)]
        await asyncio.gather(*(store.append(sid, 0, new_events(sid, 2)) for sid in ids))
        everything = await store.read_all()
        assert len(everything) == 40
        assert len({e.position for e in everything}) == 40
        assert await outbox_of(store).count_pending() == 40

    # --- unit of work ----------------------------------------------------------------

    async def test_unit_of_work_commits_several_streams_together(self, store: EventStore) -> None:
        a, b = stream(), stream()
        async with store.unit_of_work() as uow:
            await uow.append(a, 0, new_events(a, 1))
            await uow.append(b, 0, new_events(b, 2, source="other"))
        assert await store.stream_version(a) == 1
        assert await store.stream_version(b) == 2
        topics = [r.topic for r in await outbox_of(store).pending()]
        assert topics == ["pos.testing", "pos.other", "pos.other"]

    async def test_exception_in_unit_of_work_writes_neither_events_nor_outbox(
        self, store: EventStore
    ) -> None:
        a, b = stream(), stream()
        with pytest.raises(KeyError):
            async with store.unit_of_work() as uow:
                await uow.append(a, 0, new_events(a, 1))
                await uow.append(b, 0, new_events(b, 1))
                raise KeyError("boom")
        assert await store.read_all() == []
        assert await outbox_of(store).count_pending() == 0

    async def test_lost_race_dooms_the_whole_unit_of_work(self, store: EventStore) -> None:
        a, b = stream(), stream()
        await store.append(b, 0, new_events(b, 1))
        with pytest.raises(ConcurrencyError):
            async with store.unit_of_work() as uow:
                await uow.append(a, 0, new_events(a, 1))
                # Swallowed: leaving the block must still not commit `a`.
                with contextlib.suppress(ConcurrencyError):
                    await uow.append(b, 0, new_events(b, 1))
        assert await store.stream_version(a) == 0
        assert await outbox_of(store).count_pending() == 1

    async def test_any_failed_statement_dooms_the_unit_of_work(self, store: EventStore) -> None:
        a, b = stream(), stream()
        duplicate = new_events(b, 1)
        await store.append(b, 0, duplicate)
        reused_id = [replace(duplicate[0], subject=a)]
        with pytest.raises(Exception) as caught:
            async with store.unit_of_work() as uow:
                await uow.append(a, 0, new_events(a, 1))
                with contextlib.suppress(Exception):
                    await uow.append(a, 1, reused_id)  # event id already stored
        assert not isinstance(caught.value, ConcurrencyError)
        assert "event_id" in str(caught.value)
        assert await store.stream_version(a) == 0
        assert await outbox_of(store).count_pending() == 1

    async def test_cancelled_command_writes_nothing_and_the_store_keeps_working(
        self, store: EventStore
    ) -> None:
        a, b = stream(), stream()
        staged = asyncio.Event()

        async def command() -> None:
            async with store.unit_of_work() as uow:
                await uow.append(a, 0, new_events(a, 2))
                staged.set()
                await asyncio.sleep(30)

        task = asyncio.create_task(command())
        await staged.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await store.read_all() == []
        await store.append(b, 0, new_events(b, 1))
        await store.append(a, 0, new_events(a, 1))
        assert [e.subject for e in await store.read_all()] == [b, a]
        assert await outbox_of(store).count_pending() == 2

    async def test_cancelling_at_any_point_commits_all_or_nothing(self, store: EventStore) -> None:
        """Cancelled before COMMIT: nothing; during it: either outcome, never half."""
        finished: list[str] = []

        async def command(sid: str) -> None:
            async with store.unit_of_work() as uow:
                await uow.append(sid, 0, new_events(sid, 2))
            finished.append(sid)

        versions = []
        for delay in [0.0] + [0.00005 * 2**i for i in range(13)]:  # up to 0.2 s
            sid = stream()
            task = asyncio.create_task(command(sid))
            await asyncio.sleep(delay)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            version = await store.stream_version(sid)
            assert version == 2 if sid in finished else version in (0, 2)
            versions.append(version)
        assert await outbox_of(store).count_pending() == sum(versions)
        assert len(await store.read_all()) == sum(versions)
        sid = stream()
        await store.append(sid, 0, new_events(sid, 1))  # and the store still works

    async def test_store_keeps_working_after_a_lost_race(self, store: EventStore) -> None:
        sid = stream()
        await store.append(sid, 0, new_events(sid, 1))
        with pytest.raises(ConcurrencyError):
            await store.append(sid, 0, new_events(sid, 1))
        stored = await store.append(sid, 1, new_events(sid, 1))
        assert [e.stream_version for e in stored] == [2]

    async def test_large_append_is_split_but_atomic(self, store: EventStore) -> None:
        sid = stream()
        with pytest.raises(RuntimeError):
            async with store.unit_of_work() as uow:
                await uow.append(sid, 0, new_events(sid, 501))
                raise RuntimeError("rolled back after both inserts ran")
        assert await store.read_all() == []
        stored = await store.append(sid, 0, new_events(sid, 501))
        assert [e.stream_version for e in stored] == list(range(1, 502))
        assert len(await store.read_stream(sid)) == 501
        assert await outbox_of(store).count_pending() == 501

    # --- snapshots -------------------------------------------------------------------

    async def test_snapshots_roundtrip_and_only_move_forward(self, store: EventStore) -> None:
        sid = stream()
        assert await store.load_snapshot(sid) is None
        await store.save_snapshot(Snapshot(sid, 10, {"total": 10, "names": ["a"]}))
        await store.save_snapshot(Snapshot(sid, 4, {"total": 4, "names": []}))
        assert await store.load_snapshot(sid) == Snapshot(sid, 10, {"total": 10, "names": ["a"]})
        await store.save_snapshot(Snapshot(sid, 20, {"total": 20, "names": []}))
        loaded = await store.load_snapshot(sid)
        assert loaded is not None and loaded.version == 20

    async def test_start_again_is_harmless(self, store: EventStore) -> None:
        sid = stream()
        await store.append(sid, 0, new_events(sid, 1))
        await store.start()
        assert await store.stream_version(sid) == 1

    # --- outbox ----------------------------------------------------------------------

    async def test_outbox_holds_each_appended_event_in_order(self, store: EventStore) -> None:
        a, b = stream(), stream()
        stored = await store.append(a, 0, new_events(a, 2))
        stored += await store.append(b, 0, new_events(b, 1, source="inventory"))
        rows = await outbox_of(store).pending()
        assert [r.envelope for r in rows] == stored
        assert [(r.topic, r.key) for r in rows] == [
            ("pos.testing", a),
            ("pos.testing", a),
            ("pos.inventory", b),
        ]
        ids = [r.id for r in rows]
        assert ids == sorted(ids)

    async def test_mark_published_removes_rows_from_pending(self, store: EventStore) -> None:
        sid = stream()
        await store.append(sid, 0, new_events(sid, 5))
        outbox = outbox_of(store)
        first = await outbox.pending(limit=2)
        assert [r.envelope.stream_version for r in first] == [1, 2]
        await outbox.mark_published([r.id for r in first])
        await outbox.mark_published([r.id for r in first])  # a retried mark is harmless
        await outbox.mark_published([])
        assert await outbox.count_pending() == 3
        rest = await outbox.pending()
        assert [r.envelope.stream_version for r in rest] == [3, 4, 5]
        await outbox.mark_published([r.id for r in rest])
        assert await outbox.pending() == []
        assert await outbox.count_pending() == 0

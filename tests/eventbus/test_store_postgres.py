"""PostgreSQL-only behaviour: late commits and writers blocking on the same stream."""

from __future__ import annotations

import asyncio

import pytest

from eventbus import ConcurrencyError
from eventbus.sqlstore import SqlEventStore
from tests.eventbus.contracts.store_contract import new_events, stream


async def test_a_row_that_commits_late_is_still_drained(pg_store: SqlEventStore) -> None:
    """Tx A takes the lower id, B commits first and is drained, then A commits."""
    a, b = stream(), stream()
    outbox = pg_store.outbox
    async with pg_store.unit_of_work() as slow:
        [early] = await slow.append(a, 0, new_events(a, 1))
        [late] = await pg_store.append(b, 0, new_events(b, 1))
        assert (early.position or 0) < (late.position or 0)

        drained = await outbox.pending()
        assert [r.envelope.id for r in drained] == [late.id]
        await outbox.mark_published([r.id for r in drained])
        assert [e.id for e in await pg_store.read_all()] == [late.id]

    again = await outbox.pending()
    assert [r.envelope.id for r in again] == [early.id]
    assert again[0].id < drained[0].id  # a watermark past B's id would have lost it
    # Readers by position see the gap filled in too.
    assert [e.id for e in await pg_store.read_all()] == [early.id, late.id]


async def test_second_writer_of_a_stream_waits_for_the_first_then_loses(
    pg_store: SqlEventStore,
) -> None:
    sid = stream()
    await pg_store.append(sid, 0, new_events(sid, 1))
    async with pg_store.unit_of_work() as first:
        await first.append(sid, 1, new_events(sid, 1))
        second = asyncio.create_task(pg_store.append(sid, 1, new_events(sid, 1)))
        await asyncio.sleep(0.2)
        assert not second.done()  # blocked on the unique index, not failed, not written
    with pytest.raises(ConcurrencyError):
        await second
    assert await pg_store.stream_version(sid) == 2
    rows = await pg_store.outbox.pending()
    assert [r.envelope.stream_version for r in rows] == [1, 2]


async def test_next_version_cannot_be_written_before_the_previous_commits(
    pg_store: SqlEventStore,
) -> None:
    """Per-key order: version 2 can't be written, nor drained, before version 1 commits."""
    sid = stream()
    async with pg_store.unit_of_work() as first:
        await first.append(sid, 0, new_events(sid, 1))
        with pytest.raises(ConcurrencyError):  # version 1 is not visible to others yet
            await asyncio.wait_for(pg_store.append(sid, 1, new_events(sid, 1)), 5)
        assert await pg_store.outbox.pending() == []
    await pg_store.append(sid, 1, new_events(sid, 1))
    rows = await pg_store.outbox.pending()
    assert [r.envelope.stream_version for r in rows] == [1, 2]
    assert rows[0].id < rows[1].id

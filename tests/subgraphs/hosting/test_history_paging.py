"""`subgraphs.hosting.history.history_page` on a real SQLite store: newest first, cursors
that walk the whole stream exactly once, the changes of every event the same as folding
the whole stream, and a later page of a long stream read from its checkpoint only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from eventbus import Envelope
from eventbus.sqlstore import SqlEventStore
from eventbus.time_travel import history_of
from subgraphs.hosting.history import history_page
from tests.eventbus.test_history_time_travel import event, fold


class CountingStore(SqlEventStore):
    """Counts the events `read_stream` hands out."""

    read = 0

    async def read_stream(self, stream_id: str, from_version: int = 1) -> list[Envelope]:
        found = await super().read_stream(stream_id, from_version)
        self.read += len(found)
        return found


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[CountingStore]:
    counting = CountingStore(f"sqlite+aiosqlite:///{tmp_path / 'events.db'}")
    await counting.start()
    events = [event("Opened", 1, 0, label="long")] + [
        event("Added", v, v, n=1) for v in range(2, 1001)
    ]
    for start in range(0, len(events), 250):
        await counting.append("c-1", start, events[start : start + 250])
    yield counting
    await counting.close()


async def test_pages_walk_the_stream_once_newest_first(store: CountingStore) -> None:
    whole = history_of(fold, await store.read_stream("c-1"))
    seen = []
    after = None
    while True:
        page = await history_page(store, fold, "c-1", first=100, after=after)
        assert page.total == 1000
        seen.extend(page.entries)
        if not page.has_next:
            break
        after = page.cursors[-1]
    assert [e.envelope.stream_version for e in seen] == list(range(1000, 0, -1))
    assert [e.changes for e in seen] == [e.changes for e in reversed(whole)]


async def test_a_later_page_reads_from_its_checkpoint(store: CountingStore) -> None:
    await history_page(store, fold, "c-1", first=20)  # folds once, leaves checkpoints
    store.read = 0
    page = await history_page(store, fold, "c-1", first=20)
    assert [e.envelope.stream_version for e in page.entries][:2] == [1000, 999]
    assert store.read <= 100  # from the checkpoint at 900: 100 events, not 1000
    store.read = 0
    plain = await history_page(store, None, "c-1", first=20)  # no fold: just the page
    assert store.read == 20 and plain.entries[0].changes == ()
    older = await history_page(store, fold, "c-1", first=5, after=page.cursors[-1])
    assert [e.envelope.stream_version for e in older.entries] == [980, 979, 978, 977, 976]
    assert older.has_previous and older.has_next

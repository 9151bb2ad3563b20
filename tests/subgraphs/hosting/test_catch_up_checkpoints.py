"""The embedded mode's catch-up at start reads only what it has not checked yet.

What a user notices: `pos run` on a store of a few days' trading starts in about the same
time as on a new one, instead of re-checking every event ever stored at each start; and
no event is missed, whether it was stored before the last start or while it ran."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from uuid import uuid4

import pytest

from eventbus import Envelope
from eventbus.projection import Projection
from eventbus.sqlstore import SqlEventStore
from subgraphs.hosting.running import MemoryCheckpoints, catch_up


class Counter(Projection):
    name = "counter"
    topics: Sequence[str] = ("pos.testing",)

    def __init__(self) -> None:
        self.applied: set[str] = set()
        self.checked = 0

    async def has_applied(self, envelope: Envelope) -> bool:
        self.checked += 1
        return envelope.id in self.applied

    async def apply(self, envelope: Envelope) -> None:
        self.applied.add(envelope.id)

    async def reset(self) -> None:
        self.applied.clear()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlEventStore]:
    store = SqlEventStore(f"sqlite+aiosqlite:///{tmp_path / 'events.db'}")
    await store.start()
    try:
        yield store
    finally:
        await store.close()


async def _append(store: SqlEventStore, count: int, source: str = "testing") -> None:
    for _ in range(count):
        stream = str(uuid4())
        envelope = Envelope(f"pos.{source}.Happened.v1", source, stream, {}, 1)
        await store.append(stream, 0, [envelope])


async def test_a_second_start_checks_only_the_events_stored_since_the_first(
    store: SqlEventStore,
) -> None:
    await _append(store, 250)
    await _append(store, 40, source="other")  # another topic: read, never applied
    checkpoints = MemoryCheckpoints()
    projection = Counter()
    assert await catch_up(store, projection, page_size=100, checkpoints=checkpoints) == 250
    assert projection.checked == 250

    # the process stops; 30 events are stored before it starts again
    await _append(store, 30)
    projection.checked = 0
    assert await catch_up(store, projection, page_size=100, checkpoints=checkpoints) == 30
    assert projection.checked == 30  # not 280
    assert len(projection.applied) == 280  # none missed

    projection.checked = 0
    assert await catch_up(store, projection, checkpoints=checkpoints) == 0
    assert projection.checked == 0


async def test_without_checkpoints_every_event_is_checked_again(store: SqlEventStore) -> None:
    await _append(store, 50)
    projection = Counter()
    await catch_up(store, projection)
    projection.checked = 0
    assert await catch_up(store, projection) == 0
    assert projection.checked == 50

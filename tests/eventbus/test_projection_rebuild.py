"""A rebuild from the event store gives the read model the live runner built."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pymongo import AsyncMongoClient

from eventbus import Envelope, topic_for
from eventbus.projection import ProjectionRunner, rebuild, wait_applied
from eventbus.relay import Relay
from eventbus.sqlstore import SqlEventStore
from eventbus.transports.kafka import KafkaTransport
from tests.eventbus.fixtures_bus import (
    StreamTally,
    TallyProjection,
    append,
    eventually,
    kafka_bootstrap,
    read_store,
    unique,
)

__all__ = ["read_store"]  # fixtures used by name

pytestmark = pytest.mark.services


async def snapshot(streams: list[str]) -> dict[str, dict[str, object]]:
    docs = await StreamTally.find_all().to_list()
    return {d.id: d.model_dump(exclude={"revision_id"}) for d in docs if d.id in streams}


async def test_a_rebuild_equals_the_live_result(
    event_store: SqlEventStore, read_store: AsyncMongoClient
) -> None:
    mine, other = unique("ctx").replace(".", ""), unique("ctx").replace(".", "")
    streams = [str(uuid4()) for _ in range(4)]
    foreign = str(uuid4())
    written: list[Envelope] = []
    for round_ in range(3):
        for stream in streams:
            written += await append(event_store, stream, round_ + 1, source=mine)
        await append(event_store, foreign, 1, source=other)
    poison = written[5]
    projection = TallyProjection([topic_for(mine)], poison=[poison.id])

    transport = KafkaTransport(kafka_bootstrap(), client_id="pos-test")
    relay = Relay(event_store.outbox, transport, batch_size=7)
    runner = ProjectionRunner(transport, projection, max_attempts=2, base_backoff=0.01)
    await runner.start()
    try:
        while await relay.drain_once():
            pass
        others = [e for e in written if e.id != poison.id]
        assert await wait_applied(projection, others, timeout=30)
        await eventually(lambda: _dead_lettered(runner, 1), what="the dead letter")
    finally:
        await runner.stop()
        await transport.stop()
    live = await snapshot([*streams, foreign])
    assert len(live) == 4 and foreign not in live
    assert live[poison.subject]["versions"] == [1, 2, 4, 5, 6]

    report = await rebuild(event_store, projection, page_size=3)
    rebuilt = await snapshot([*streams, foreign])
    assert rebuilt == live
    assert report.applied == len(written) - 1
    assert [(e.id, why) for e, why in report.failed] == [
        (poison.id, f"ValueError: cannot project {poison.type} #{poison.stream_version}")
    ]


async def _dead_lettered(runner: ProjectionRunner, count: int) -> bool:
    return runner.metrics.dead_lettered == count

"""Faults on the way from the store to a projection, on real Kafka and PostgreSQL.

(a) The broker goes away while commands keep appending, then comes back: every event
    reaches the projection once, in per-aggregate order. This stops a broker, so it runs
    a private one (its own ports and folder) through `pos.infra`, never the shared one.
(b) The relay dies between Kafka's acknowledgement and marking the rows: a restarted
    relay republishes them, and the projection's idempotent apply absorbs the copies.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from uuid import uuid4

import pytest
from pymongo import AsyncMongoClient

from eventbus import Envelope, Outbox, OutboxRecord, topic_for
from eventbus.projection import ProjectionRunner, wait_applied
from eventbus.relay import Relay
from eventbus.sqlstore import SqlEventStore
from eventbus.transports.kafka import KafkaTransport
from pos.infra import InfraConfig, start_service, stop_service
from tests.eventbus.fixtures_bus import (
    TallyProjection,
    append,
    eventually,
    kafka_bootstrap,
    read_store,
    unique,
)

__all__ = ["read_store"]  # fixtures used by name

pytestmark = pytest.mark.services


@pytest.fixture
async def private_kafka(tmp_path: Path) -> AsyncIterator[InfraConfig]:
    config = InfraConfig.isolated(tmp_path / "infra")
    await asyncio.to_thread(start_service, "kafka", config)
    yield config
    await asyncio.to_thread(stop_service, "kafka", config)


class Commands:
    """Appends one event at a time to random streams, like a stream of commands."""

    def __init__(self, store: SqlEventStore, source: str, streams: int) -> None:
        self.store = store
        self.source = source
        self.streams = [str(uuid4()) for _ in range(streams)]
        self.written: list[Envelope] = []
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while not self._stop.is_set():
            stream = random.choice(self.streams)
            self.written += await append(self.store, stream, 1, source=self.source)
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    def expected(self) -> dict[str, list[int]]:
        counts = {s: 0 for s in self.streams}
        for envelope in self.written:
            counts[envelope.subject] += 1
        return {s: list(range(1, n + 1)) for s, n in counts.items()}


async def test_a_broker_outage_loses_nothing_and_keeps_order_per_aggregate(
    pg_store: SqlEventStore, read_store: AsyncMongoClient, private_kafka: InfraConfig
) -> None:
    source = unique("ctx").replace(".", "")
    commands = Commands(pg_store, source, streams=6)
    projection = TallyProjection([topic_for(source)])
    bootstrap = private_kafka.kafka_bootstrap
    relay_transport = KafkaTransport(
        bootstrap, client_id="relay", request_timeout_ms=2000, delivery_timeout_ms=4000
    )
    runner_transport = KafkaTransport(bootstrap, client_id="runner", request_timeout_ms=3000)
    relay = Relay(pg_store.outbox, relay_transport, poll_interval=0.05, max_backoff=1.0)
    runner = ProjectionRunner(runner_transport, projection, base_backoff=0.1)
    relay_task = asyncio.create_task(relay.run())
    await runner.start()
    try:
        commands.start()
        await eventually(lambda: _applied_at_least(runner, 20), what="first events projected")

        await asyncio.to_thread(stop_service, "kafka", private_kafka)
        written_before_outage = len(commands.written)
        await eventually(
            lambda: _written_at_least(commands, written_before_outage + 40),
            what="commands to keep working while the broker is down",
        )
        assert await _pending_at_least(pg_store.outbox, 40), "the outbox holds them meanwhile"

        await asyncio.to_thread(start_service, "kafka", private_kafka)
        await asyncio.sleep(0.5)
        await commands.stop()

        assert await wait_applied(projection, commands.written, timeout=90)
        await eventually(lambda: _pending_at_least(pg_store.outbox, 0, most=0), what="drained")
    finally:
        await commands.stop()
        relay.stop()
        await relay_task
        await runner.stop()
        await relay_transport.stop()
        await runner_transport.stop()

    assert relay.metrics.failures > 0, "the outage was seen by the relay"
    expected = commands.expected()
    assert sum(len(v) for v in expected.values()) == len(commands.written) > 60
    assert await projection.tallies(commands.streams) == expected
    assert runner.metrics.applied == len(commands.written)
    assert runner.metrics.dead_lettered == 0


class DyingOutbox(Outbox):
    """The real outbox, except that the first `mark_published` never returns: the
    process dies right after Kafka acknowledged the batch."""

    def __init__(self, inner: Outbox) -> None:
        self.inner = inner
        self.reached_mark = asyncio.Event()

    async def pending(self, limit: int = 500) -> list[OutboxRecord]:
        return await self.inner.pending(limit)

    async def mark_published(self, ids: Sequence[int]) -> None:
        self.reached_mark.set()
        await asyncio.Event().wait()  # hangs until the task is cancelled ("killed")

    async def count_pending(self) -> int:
        return await self.inner.count_pending()


async def test_a_relay_killed_between_publish_and_mark_duplicates_nothing_in_the_projection(
    pg_store: SqlEventStore, read_store: AsyncMongoClient
) -> None:
    source = unique("ctx").replace(".", "")
    streams = [str(uuid4()) for _ in range(3)]
    written: list[Envelope] = []
    for _ in range(5):
        for stream in streams:
            written += await append(pg_store, stream, 1, source=source)
    projection = TallyProjection([topic_for(source)])
    transport = KafkaTransport(kafka_bootstrap(), client_id="pos-test")
    runner = ProjectionRunner(transport, projection)
    await runner.start()
    try:
        dying = DyingOutbox(pg_store.outbox)
        first = asyncio.create_task(Relay(dying, transport).run())
        await asyncio.wait_for(dying.reached_mark.wait(), 30)
        first.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first
        assert await pg_store.outbox.count_pending() == 15, "nothing was marked"
        assert await wait_applied(projection, written, timeout=30), "but all was published"

        second = Relay(pg_store.outbox, transport)
        assert await second.drain_once() == 15, "the restarted relay republishes"
        assert await second.drain_once() == 0
        await eventually(lambda: _skipped(runner, 15), what="the copies to be skipped")
    finally:
        await runner.stop()
        await transport.stop()
    assert runner.metrics.applied == 15
    assert await projection.tallies(streams) == {s: [1, 2, 3, 4, 5] for s in streams}


async def _applied_at_least(runner: ProjectionRunner, count: int) -> bool:
    return runner.metrics.applied >= count


async def _written_at_least(commands: Commands, count: int) -> bool:
    return len(commands.written) >= count


async def _skipped(runner: ProjectionRunner, count: int) -> bool:
    return runner.metrics.skipped == count


async def _pending_at_least(outbox: Outbox, count: int, most: int | None = None) -> bool:
    pending = await outbox.count_pending()
    return pending >= count and (most is None or pending <= most)

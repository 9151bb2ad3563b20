"""The relay against the real SQL store (SQLite and PostgreSQL) and a transport."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from uuid import uuid4

import pytest

from eventbus import Envelope, topic_for
from eventbus.relay import Relay
from eventbus.sqlstore import SqlEventStore
from eventbus.transports import InProcessTransport
from eventbus.transports.kafka import KafkaTransport
from tests.eventbus.contracts.transport_contract import drain
from tests.eventbus.fixtures_bus import (
    append,
    eventually,
    first_deliveries,
    kafka_bootstrap,
    unique,
)

pytestmark = pytest.mark.services


class FlakyTransport(InProcessTransport):
    """Fails `failures` publishes after delivering the first half of the batch, like a
    broker that acknowledged some records and then went away."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def publish(self, topic: str, envelopes: Sequence[Envelope]) -> None:
        if self.failures > 0:
            self.failures -= 1
            await super().publish(topic, envelopes[: len(envelopes) // 2])
            raise ConnectionError("broker unreachable")
        await super().publish(topic, envelopes)


async def test_drain_publishes_pending_rows_by_topic_in_order_and_marks_them(
    event_store: SqlEventStore,
) -> None:
    ordering, catalog = unique("o").replace(".", ""), unique("c").replace(".", "")
    streams = {str(uuid4()): ordering, str(uuid4()): ordering, str(uuid4()): catalog}
    for round_ in range(3):
        for stream, source in streams.items():
            await append(event_store, stream, round_ + 1, source=source)
    transport = InProcessTransport()
    relay = Relay(event_store.outbox, transport, batch_size=4)
    published = []
    while count := await relay.drain_once():
        published.append(count)
    assert sum(published) == 18 and max(published) == 4
    assert await event_store.outbox.count_pending() == 0

    reader = transport.consumer("check", [topic_for(ordering), topic_for(catalog)])
    await reader.start()
    got = await drain(reader, 18)
    assert len(got) == 18, "each row is published once when nothing fails"
    assert first_deliveries(got) == {stream: [1, 2, 3, 4, 5, 6] for stream in streams}
    assert {m.topic for m in got if m.key in streams and streams[m.key] == catalog} == {
        topic_for(catalog)
    }


async def test_a_failing_transport_is_retried_until_nothing_is_lost_and_order_holds(
    sqlite_store: SqlEventStore,
) -> None:
    source = unique("ctx").replace(".", "")
    streams = [str(uuid4()) for _ in range(3)]
    transport = FlakyTransport(failures=3)
    relay = Relay(sqlite_store.outbox, transport, batch_size=5, poll_interval=0.01)
    task = asyncio.create_task(relay.run())
    try:
        for _ in range(4):
            for stream in streams:
                await append(sqlite_store, stream, 2, source=source)
        await eventually(
            lambda: _none_pending(sqlite_store), timeout=20, what="the outbox to drain"
        )
    finally:
        relay.stop()
        await task
    assert relay.metrics.failures == 3
    assert relay.metrics.last_error == "ConnectionError: broker unreachable"
    reader = transport.consumer("check", [topic_for(source)])
    await reader.start()
    got = await drain(reader, 24)
    assert first_deliveries(got) == {s: list(range(1, 9)) for s in streams}
    for stream in streams:
        versions = [m.envelope.stream_version for m in got if m.envelope and m.key == stream]
        # A retried batch may repeat a prefix, but never delivers v(n+1) before v(n).
        highest = 0
        for version in versions:
            assert version <= highest + 1, f"{stream}: v{version} arrived before v{highest + 1}"
            highest = max(highest, version)


async def test_the_relay_runs_as_its_own_process_and_stops_cleanly_on_sigterm(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'events.db'}"
    store = SqlEventStore(url)
    await store.start()
    source = unique("ctx").replace(".", "")
    stream = str(uuid4())
    await append(store, stream, 3, source=source)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "eventbus.relay",
        "--store-url",
        url,
        "--kafka",
        kafka_bootstrap(),
        "--poll-interval",
        "0.05",
        cwd=Path(__file__).parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    transport = KafkaTransport(kafka_bootstrap())
    reader = transport.consumer(unique("check"), [topic_for(source)])
    try:
        await reader.start()
        got = await drain(reader, 3, timeout=30)
        await append(store, stream, 2, source=source)
        got += await drain(reader, 2, timeout=30)
        await eventually(lambda: _none_pending(store), timeout=10, what="rows marked")
    finally:
        await reader.stop()
        await transport.stop()
        await store.close()
        proc.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, output.decode()
    assert first_deliveries(got) == {stream: [1, 2, 3, 4, 5]}


async def _none_pending(store: SqlEventStore) -> bool:
    return await store.outbox.count_pending() == 0

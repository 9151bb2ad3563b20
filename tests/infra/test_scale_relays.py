"""Several relays on one PostgreSQL outbox: one active, the others standing by; SIGKILL
of the active one mid-stream and a standby takes over, losing nothing and keeping each
aggregate's order (at most the batch in flight is published twice).

Real PostgreSQL (a database of the test's own) and Kafka; the relays are real processes
(``python -m eventbus.relay``, what `pos relay` runs).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from eventbus import Message, topic_for
from eventbus.relay import Relay
from eventbus.relay_lease import AdvisoryLockLease
from eventbus.sqlstore import SqlEventStore
from eventbus.transports.kafka import KafkaTransport
from tests.eventbus.fixtures_bus import append, first_deliveries, kafka_bootstrap, unique

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("POS_PG_URL", "postgresql+asyncpg://pos:pos@127.0.0.1:5432/pos")
BATCH = 20


@pytest.fixture
async def store_url() -> AsyncIterator[str]:
    name = f"pos_relay_{uuid4().hex[:12]}"
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.dispose()


class RelayProcess:
    """`python -m eventbus.relay` with its log in a file, to see when it leads."""

    def __init__(self, store_url: str, log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "eventbus.relay",
                "--store-url",
                store_url,
                "--kafka",
                kafka_bootstrap(),
                "--batch-size",
                str(BATCH),
                "--poll-interval",
                "0.05",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )

    def leads(self) -> bool:
        return "holding the lease" in self.log.read_text()


@pytest.fixture
def relays() -> Iterator[list[RelayProcess]]:
    started: list[RelayProcess] = []
    yield started
    for relay in started:
        if relay.process.poll() is None:
            relay.process.send_signal(signal.SIGTERM)
            try:
                relay.process.wait(15)
            except subprocess.TimeoutExpired:
                relay.process.kill()
                relay.process.wait()


async def _until(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_a_standby_relay_takes_over_from_a_killed_one(
    store_url: str, relays: list[RelayProcess], tmp_path: Path
) -> None:
    source = unique("scale_relay").replace(".", "_")
    topic = topic_for(source)
    store = SqlEventStore(store_url)
    await store.start()
    transport = KafkaTransport(kafka_bootstrap(), client_id="scale-relay-test")
    await transport.ensure_topics([topic])
    consumer = transport.consumer(unique("scale.relay.group"), [topic])
    await consumer.start()
    received: list[Message] = []
    streams = [str(uuid4()) for _ in range(10)]
    written = 0

    async def write(rounds: int) -> None:
        nonlocal written
        for _ in range(rounds):
            for stream in streams:
                await append(store, stream, 1, source=source)
                written += 1
            await asyncio.sleep(0.02)

    async def consume(total: int, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while (
                len(
                    {
                        (m.envelope.subject, m.envelope.stream_version)
                        for m in received
                        if m.envelope
                    }
                )
                < total
            ):
                received.extend(await consumer.poll(0.5))

    try:
        relays.append(RelayProcess(store_url, tmp_path / "relay-a.log"))
        relays.append(RelayProcess(store_url, tmp_path / "relay-b.log"))
        await _until(lambda: any(r.leads() for r in relays), 30, "a relay to lead")
        await asyncio.sleep(1.5)  # the other has tried the lock at least once by now
        active = [r for r in relays if r.leads()]
        assert len(active) == 1, "exactly one relay drains"
        (standby,) = [r for r in relays if r is not active[0]]

        await write(10)
        await consume(written // 2, 30)  # the active relay is publishing
        active[0].process.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        writer = asyncio.create_task(write(10))
        await _until(standby.leads, 15, "the standby to take over")
        takeover = time.monotonic() - killed_at
        await writer
        await consume(written, 60)
        for _ in range(100):  # rows are marked just after Kafka acknowledged them
            if await store.outbox.count_pending() == 0:
                break
            await asyncio.sleep(0.05)
        assert await store.outbox.count_pending() == 0
    finally:
        await consumer.stop()
        await transport.stop()
        await store.close()

    versions = first_deliveries(received)
    assert sorted(versions) == sorted(streams)
    for stream in streams:
        assert versions[stream] == list(range(1, 21)), f"{stream} lost or reordered"
    copies = Counter(
        (m.envelope.subject, m.envelope.stream_version) for m in received if m.envelope
    )
    doubled = sum(n - 1 for n in copies.values())
    assert doubled <= BATCH, f"{doubled} events published twice: more than the batch in flight"
    assert takeover < 5, f"takeover took {takeover:.1f}s"
    print(f"takeover {takeover:.2f}s, {doubled} events republished")


async def test_two_relays_in_one_process_never_drain_together(store_url: str) -> None:
    """The lease itself: the second relay stands by until the first stops."""
    source = unique("scale_relay2").replace(".", "_")
    store = SqlEventStore(store_url)
    await store.start()
    transport = KafkaTransport(kafka_bootstrap(), client_id="scale-relay-test")
    first = Relay(store.outbox, transport, lease=AdvisoryLockLease(store_url), standby_interval=0.1)
    second = Relay(
        store.outbox, transport, lease=AdvisoryLockLease(store_url), standby_interval=0.1
    )
    tasks = [asyncio.create_task(first.run())]
    try:
        await _until(lambda: first.metrics.active, 10, "the first relay to lead")
        tasks.append(asyncio.create_task(second.run()))
        await append(store, str(uuid4()), 5, source=source)
        await _until(lambda: first.metrics.published == 5, 10, "the first relay to publish")
        await asyncio.sleep(0.5)
        assert (second.metrics.active, second.metrics.published) == (False, 0)
        first.stop()
        await tasks[0]
        await _until(lambda: second.metrics.active, 5, "the second relay to take over")
        await append(store, str(uuid4()), 3, source=source)
        await _until(lambda: second.metrics.published == 3, 10, "the second relay to publish")
        assert first.metrics.published == 5
    finally:
        first.stop()
        second.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        await transport.stop()
        await store.close()


async def test_a_relay_whose_lock_session_dies_stands_down_before_the_next_batch(
    store_url: str,
) -> None:
    """The process lives on but its lock session is gone (a network cut, a server-side
    kill): it must stop draining, since the lock may be someone else's by now."""
    import asyncpg

    source = unique("scale_relay3").replace(".", "_")
    store = SqlEventStore(store_url)
    await store.start()
    transport = KafkaTransport(kafka_bootstrap(), client_id="scale-relay-test")
    first_lease = AdvisoryLockLease(store_url)
    first = Relay(store.outbox, transport, lease=first_lease, standby_interval=0.1)
    second = Relay(
        store.outbox, transport, lease=AdvisoryLockLease(store_url), standby_interval=0.1
    )
    tasks = [asyncio.create_task(first.run())]
    admin = await asyncpg.connect(store_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await _until(lambda: first.metrics.active, 10, "the first relay to lead")
        tasks.append(asyncio.create_task(second.run()))
        await asyncio.sleep(0.3)
        assert not second.metrics.active
        pid = first_lease._conn.get_server_pid()
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        await _until(lambda: second.metrics.active, 5, "the second relay to take over")
        # the first learns it lost the lock at its next check (before any batch): what
        # matters is that it publishes nothing from now on, asserted below
        await _until(lambda: not first.metrics.active, 5, "the first relay to stand down")
        await append(store, str(uuid4()), 4, source=source)
        await _until(lambda: second.metrics.published == 4, 10, "the second relay to publish")
        await asyncio.sleep(0.5)
        assert first.metrics.published == 0 and not first.metrics.active
    finally:
        await admin.close()
        first.stop()
        second.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        await transport.stop()
        await store.close()

"""Append-to-projection latency through Kafka: how long until a command's event is readable.

Path per event: store append (PostgreSQL, with its outbox row) -> relay -> Kafka ->
projection runner -> Beanie upsert on the MongoDB-wire server (POS_MONGO_URL). The clock
starts before the append and stops when the projection's write to Mongo returned.
Commands are paced (`--rate` per second) over 100 streams, one event per command.

Two relay modes, since the relay may run in the command's process or as its own:

- ``wake``: the appender calls `relay.wake()` after its commit (in-process relay);
- ``poll``: the relay only polls the outbox every `--poll-interval` seconds (a separate
  relay process; the default interval is 0.2 s, so expect about half of it added).

    .venv/bin/python bench/projection_latency.py [--events 400] [--rate 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from uuid import uuid4

import asyncpg
from beanie import Document
from sqlalchemy.engine import make_url

from eventbus import Envelope, topic_for
from eventbus.projection import Projection, ProjectionRunner, wait_applied
from eventbus.readmodel import AppliedMixin, init_read_store, is_applied, mark_applied
from eventbus.relay import Relay
from eventbus.sqlstore import SqlEventStore
from eventbus.transports.kafka import KafkaTransport

PG_URL = os.environ.get("POS_PG_URL", "postgresql+asyncpg://pos:pos@127.0.0.1:5432/pos")
KAFKA = os.environ.get("POS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
MONGO = os.environ.get("POS_MONGO_URL", "mongodb://127.0.0.1:27017")
STREAMS = 100


class StreamTotal(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the stream id
    total: int = 0

    class Settings:
        name = "bench_stream_total"


class TotalProjection(Projection):
    """Sums `data.qty` per stream and notes when each event's write completed."""

    def __init__(self, topic: str) -> None:
        self.name = f"bench-latency-{uuid4().hex[:8]}"
        self.topics = [topic]
        self.done_at: dict[str, float] = {}

    async def apply(self, envelope: Envelope) -> None:
        doc = await StreamTotal.get(envelope.subject) or StreamTotal(id=envelope.subject)
        if not is_applied(doc, envelope):
            doc.total += int(envelope.data["qty"])
            mark_applied(doc, envelope)
            await doc.save()
        self.done_at.setdefault(envelope.id, time.perf_counter())

    async def has_applied(self, envelope: Envelope) -> bool:
        return is_applied(await StreamTotal.get(envelope.subject), envelope)

    async def reset(self) -> None:
        await StreamTotal.delete_all()


async def run_mode(
    store: SqlEventStore, mode: str, events: int, rate: float, poll_interval: float
) -> list[float]:
    source = f"benchlat{uuid4().hex[:8]}"
    projection = TotalProjection(topic_for(source))
    relay_transport = KafkaTransport(KAFKA, client_id="bench-relay")
    runner_transport = KafkaTransport(KAFKA, client_id="bench-runner")
    await relay_transport.ensure_topics([topic_for(source)])
    relay = Relay(store.outbox, relay_transport, poll_interval=poll_interval)
    runner = ProjectionRunner(runner_transport, projection, poll_timeout=0.5)
    await runner.start()
    relay_task = asyncio.create_task(relay.run())
    streams = [str(uuid4()) for _ in range(STREAMS)]
    versions = dict.fromkeys(streams, 0)
    started_at: dict[str, float] = {}
    written: list[Envelope] = []
    try:
        await asyncio.sleep(1.0)  # let the runner join its group before the clock runs
        for i in range(events):
            stream = streams[i % STREAMS]
            fresh = Envelope(
                type=f"pos.{source}.ItemCounted.v1",
                source=source,
                subject=stream,
                data={"qty": 1 + i % 5},
                stream_version=0,
            )
            started_at[fresh.id] = time.perf_counter()
            written += await store.append(stream, versions[stream], [fresh])
            versions[stream] += 1
            if mode == "wake":
                relay.wake()
            await asyncio.sleep(1 / rate)
        if not await wait_applied(projection, written, timeout=60):
            raise RuntimeError("the projection did not catch up within 60 s")
        while len(projection.done_at) < len(written):
            await asyncio.sleep(0.01)
    finally:
        relay.stop()
        await relay_task
        await runner.stop()
        await relay_transport.stop()
        await runner_transport.stop()
    return [(projection.done_at[k] - started_at[k]) * 1000 for k in started_at]


def summary(name: str, latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"{name:<28} n={len(ordered)}  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
        f"max {ordered[-1]:7.1f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=400)
    parser.add_argument("--rate", type=float, default=100.0, help="commands per second")
    parser.add_argument("--poll-interval", type=float, default=0.2)
    args = parser.parse_args()

    url = make_url(PG_URL)
    name = f"pos_bench_latency_{uuid4().hex[:8]}"
    admin = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(False))
    await admin.execute(f'CREATE DATABASE "{name}"')
    mongo = await init_read_store(MONGO, name, [StreamTotal])
    store = SqlEventStore(url.set(database=name).render_as_string(hide_password=False))
    try:
        await store.start()
        woken = await run_mode(store, "wake", args.events, args.rate, args.poll_interval)
        polled = await run_mode(store, "poll", args.events, args.rate, args.poll_interval)
    finally:
        await store.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        await mongo.drop_database(name)
        await mongo.close()
    print(f"append -> relay -> Kafka -> runner -> Mongo write, {args.rate:g} commands/s:")
    print(summary("relay woken after commit", woken))
    print(summary(f"relay polling every {args.poll_interval:g}s", polled))


if __name__ == "__main__":
    asyncio.run(main())

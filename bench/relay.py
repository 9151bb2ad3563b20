"""Relay throughput (outbox -> Kafka) next to a raw aiokafka producer sending the same records.

Each round fills the outbox with `--events` fresh events (100 streams, 10 events per
append; not timed), then times:

- ``relay``: `Relay.drain_once()` until the outbox is empty: read pending rows, publish
  per topic (idempotent producer, acks=all), wait for every acknowledgement, mark rows;
- ``raw``: one `AIOKafkaProducer` with the same settings sending the same keys, bodies
  and headers to another fresh topic, then waiting for every acknowledgement. No store.

The ratio relay/raw says what the outbox costs on top of Kafka. Best of `--rounds`,
interleaved. The store is a PostgreSQL database created for the run at POS_PG_URL (and
dropped after it), or a temp SQLite file with `--backend sqlite`; Kafka is
POS_KAFKA_BOOTSTRAP.

    .venv/bin/python bench/relay.py [--events 10000] [--rounds 3] [--batch-size 500]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import asyncpg
from aiokafka import AIOKafkaProducer
from sqlalchemy.engine import make_url

from eventbus import Envelope
from eventbus.relay import Relay
from eventbus.sqlstore import SqlEventStore
from eventbus.transports.kafka import KafkaTransport

PG_URL = os.environ.get("POS_PG_URL", "postgresql+asyncpg://pos:pos@127.0.0.1:5432/pos")
KAFKA = os.environ.get("POS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
STREAMS = 100
PER_APPEND = 10


@contextlib.asynccontextmanager
async def store_for(backend: str) -> AsyncIterator[SqlEventStore]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            store = SqlEventStore(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
            await store.start()
            try:
                yield store
            finally:
                await store.close()
        return
    url = make_url(PG_URL)
    name = f"pos_bench_relay_{uuid4().hex[:8]}"
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    store = SqlEventStore(url.set(database=name).render_as_string(hide_password=False))
    try:
        await store.start()
        yield store
    finally:
        await store.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def fill(store: SqlEventStore, events: int, source: str) -> list[Envelope]:
    streams = [str(uuid4()) for _ in range(STREAMS)]
    versions = dict.fromkeys(streams, 0)
    written: list[Envelope] = []
    for i in range(events // PER_APPEND):
        stream = streams[i % STREAMS]
        batch = [
            Envelope(
                type=f"pos.{source}.ItemCounted.v1",
                source=source,
                subject=stream,
                data={"sku": f"SKU-{i:06d}", "qty": i % 7, "price": "12.50"},
                stream_version=0,
            )
            for _ in range(PER_APPEND)
        ]
        written += await store.append(stream, versions[stream], batch)
        versions[stream] += PER_APPEND
    return written


async def time_relay(store: SqlEventStore, transport: KafkaTransport, batch_size: int) -> float:
    relay = Relay(store.outbox, transport, batch_size=batch_size)
    started = time.perf_counter()
    while await relay.drain_once():
        pass
    return time.perf_counter() - started


async def time_raw(producer: AIOKafkaProducer, topic: str, envelopes: list[Envelope]) -> float:
    records = [(e.subject.encode(), e.to_json(), e.kafka_headers()) for e in envelopes]
    started = time.perf_counter()
    futures = [
        await producer.send(topic, value=value, key=key, headers=headers)
        for key, value, headers in records
    ]
    await asyncio.gather(*futures)
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    args = parser.parse_args()

    transport = KafkaTransport(KAFKA, client_id="bench-relay")
    producer = AIOKafkaProducer(
        bootstrap_servers=KAFKA, enable_idempotence=True, acks="all", linger_ms=5
    )
    await transport.start()
    await producer.start()
    relay_times: list[float] = []
    raw_times: list[float] = []
    try:
        async with store_for(args.backend) as store:
            for _ in range(args.rounds):
                source = f"benchrelay{uuid4().hex[:8]}"
                written = await fill(store, args.events, source)
                raw_topic = f"pos.{source}.raw"
                await transport.ensure_topics([f"pos.{source}", raw_topic])
                relay_times.append(await time_relay(store, transport, args.batch_size))
                raw_times.append(await time_raw(producer, raw_topic, written))
                assert await store.outbox.count_pending() == 0
    finally:
        await producer.stop()
        await transport.stop()

    relay_rate = args.events / min(relay_times)
    raw_rate = args.events / min(raw_times)
    print(
        f"relay ({args.backend} outbox -> Kafka, batch {args.batch_size}): "
        f"{relay_rate:,.0f} events/s   (rounds: {', '.join(f'{t:.2f}s' for t in relay_times)})"
    )
    print(
        f"raw aiokafka producer, same records:   {raw_rate:,.0f} events/s   "
        f"(rounds: {', '.join(f'{t:.2f}s' for t in raw_times)})"
    )
    print(f"ratio relay/raw: {relay_rate / raw_rate:.2f}")


if __name__ == "__main__":
    asyncio.run(main())

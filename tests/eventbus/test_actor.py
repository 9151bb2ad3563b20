"""Who caused each event: `Envelope.actor`, stamped from `eventbus.actor`, stored and sent."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from uuid import uuid4

import orjson
import pytest

from eventbus import Envelope, Transport, acting_as, current_actor
from eventbus.relay import Relay
from eventbus.sqlstore import SqlEventStore
from tests.eventbus.contracts.transport_contract import drain
from tests.eventbus.fixtures_bus import bus, counted, unique

__all__ = ["bus"]

MEMBER = {"staffId": "m-1", "name": "Mia", "roles": ["CASHIER"], "session": "s-1"}


def test_the_actor_travels_as_a_cloudevents_extension_and_a_kafka_header() -> None:
    envelope = Envelope("pos.test.Counted.v1", "test", "s", {}, 1, actor=MEMBER)
    raw = envelope.to_dict()
    assert raw["actor"] == MEMBER
    assert Envelope.from_dict(raw) == envelope
    assert ("ce_actor", orjson.dumps(MEMBER)) in envelope.kafka_headers()
    bare = Envelope("pos.test.Counted.v1", "test", "s", {}, 1)
    assert "actor" not in bare.to_dict()
    assert not [h for h in bare.kafka_headers() if h[0] == "ce_actor"]
    assert Envelope.from_dict(bare.to_dict()).actor is None


async def test_the_store_stamps_the_current_actor(event_store: SqlEventStore) -> None:
    stream = str(uuid4())
    assert current_actor() is None
    with acting_as(MEMBER):
        await event_store.append(stream, 0, counted(stream, 2))
    explicit = {"system": "tests"}
    with acting_as(MEMBER):
        event = Envelope("pos.test.Counted.v1", "test", stream, {}, 3, actor=explicit)
        await event_store.append(stream, 2, [event])
    await event_store.append(stream, 3, counted(stream, 1, start=4))
    stored = await event_store.read_stream(stream)
    assert [e.actor for e in stored] == [MEMBER, MEMBER, explicit, None]
    assert [e.actor for e in await event_store.read_all(0, 100) if e.subject == stream] == [
        MEMBER,
        MEMBER,
        explicit,
        None,
    ]
    # the outbox body carries it too (what the relay publishes)
    pending = [r for r in await event_store.outbox.pending(100) if r.envelope.subject == stream]
    assert [r.envelope.actor for r in pending] == [MEMBER, MEMBER, explicit, None]


async def test_the_relay_publishes_the_actor_header(
    sqlite_store: SqlEventStore, bus: Transport
) -> None:
    stream = str(uuid4())
    with acting_as(MEMBER):
        stored = await sqlite_store.append(stream, 0, counted(stream, 1, source=unique("actor")))
    relay = Relay(sqlite_store.outbox, bus)
    await relay.drain_once()
    consumer = bus.consumer(unique("g"), [stored[0].topic])
    await consumer.start()
    try:
        [message] = await drain(consumer, 1)
    finally:
        await consumer.stop()
    assert message.envelope is not None and message.envelope.actor == MEMBER
    assert ("ce_actor", orjson.dumps(MEMBER)) in message.headers


async def test_an_old_events_table_is_migrated(tmp_path: Path) -> None:
    """A database made before `events.actor` existed: migration 2 adds the column."""
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description VARCHAR(200)
            NOT NULL, applied_at DATETIME NOT NULL);
        INSERT INTO schema_version VALUES (1, 'events, outbox and snapshots tables',
            '2026-01-01 00:00:00');
        CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id CHAR(32) NOT NULL UNIQUE, stream_id VARCHAR(200) NOT NULL,
            version INTEGER NOT NULL, previous_version INTEGER, type VARCHAR(200) NOT NULL,
            source VARCHAR(100) NOT NULL, time DATETIME NOT NULL, data JSON NOT NULL,
            correlation_id VARCHAR(200), causation_id VARCHAR(200),
            CONSTRAINT uq_events_stream_version UNIQUE (stream_id, version),
            CONSTRAINT fk_events_previous_version FOREIGN KEY (stream_id, previous_version)
                REFERENCES events (stream_id, version));
        CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, position BIGINT NOT NULL,
            topic VARCHAR(200) NOT NULL, key VARCHAR(200) NOT NULL, body BLOB NOT NULL,
            published_at DATETIME);
        CREATE TABLE snapshots (stream_id VARCHAR(200) PRIMARY KEY, version INTEGER NOT NULL,
            state JSON NOT NULL);
        INSERT INTO events VALUES (1, 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5', 'old', 1, NULL,
            'pos.test.Counted.v1', 'test', '2026-01-01 00:00:00.000000', '{"n": 1}', NULL, NULL);
        """
    )
    old.commit()
    old.close()
    store = SqlEventStore(f"sqlite+aiosqlite:///{path}")
    await store.start()
    try:
        [before] = await store.read_stream("old")
        assert before.actor is None and before.data == {"n": 1}
        with acting_as(MEMBER):
            await store.append("old", 1, counted("old", 1, start=2))
        assert [e.actor for e in await store.read_stream("old")] == [None, MEMBER]
    finally:
        await store.close()
    versions = sqlite3.connect(path).execute("SELECT version FROM schema_version").fetchall()
    assert versions == [(1,), (2,), (3,)]


async def test_migration_2_is_idempotent_on_postgresql(pg_url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from eventbus.sql.migrations import _add_event_actor

    engine = create_async_engine(pg_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("ALTER TABLE events DROP COLUMN IF EXISTS actor"))
            await conn.run_sync(_add_event_actor)
            await conn.run_sync(_add_event_actor)  # a fresh database has it already
            found = await conn.execute(
                text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'events' AND column_name = 'actor'"
                )
            )
            assert found.scalar_one() == "jsonb"
    finally:
        await engine.dispose()


@pytest.mark.parametrize("actor", [None, {"system": "seed"}])
def test_acting_as_nests_and_restores(actor: dict[str, str] | None) -> None:
    with acting_as(MEMBER):
        with acting_as(actor):
            assert current_actor() == actor
        assert current_actor() == MEMBER
    assert current_actor() is None

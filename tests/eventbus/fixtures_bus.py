"""Fixtures and helpers for the transport, relay and projection tests (engineer H3).

Import the fixtures by name into a test module (`from tests.eventbus.fixtures_bus import
read_store`); pytest picks them up from the module's namespace.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from uuid import uuid4

import pytest
from beanie import Document
from pydantic import Field
from pymongo import AsyncMongoClient

from eventbus import Envelope, EventStore, Message, Transport
from eventbus.projection import Projection
from eventbus.readmodel import AppliedMixin, init_read_store, is_applied, mark_applied
from eventbus.transports import InProcessTransport
from eventbus.transports.kafka import KafkaTransport


def kafka_bootstrap() -> str:
    """The shared development broker (never stopped by tests)."""
    return os.environ.get("POS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")


def mongo_url() -> str:
    return os.environ.get("POS_MONGO_URL", "mongodb://127.0.0.1:27017")


def unique(prefix: str) -> str:
    return f"{prefix}.{uuid4().hex[:12]}"


class StreamTally(AppliedMixin, Document):
    """Test read model: per stream, how many events were applied and in which order."""

    id: str  # type: ignore[assignment]  # the stream id, instead of an ObjectId
    events: int = 0
    versions: list[int] = Field(default_factory=list)

    class Settings:
        name = "h3_stream_tally"


class TallyProjection(Projection):
    """Counts events per stream; raises on the event ids in `poison`."""

    def __init__(self, topics: Sequence[str], *, poison: Sequence[str] = ()) -> None:
        self.name = unique("tally")
        self.topics = list(topics)
        self.poison = set(poison)
        self.calls: Counter[str] = Counter()

    async def apply(self, envelope: Envelope) -> None:
        self.calls[envelope.id] += 1
        if envelope.id in self.poison:
            raise ValueError(f"cannot project {envelope.type} #{envelope.stream_version}")
        doc = await StreamTally.get(envelope.subject) or StreamTally(id=envelope.subject)
        if is_applied(doc, envelope):
            return
        doc.events += 1
        doc.versions.append(envelope.stream_version)
        mark_applied(doc, envelope)
        await doc.save()

    async def has_applied(self, envelope: Envelope) -> bool:
        return is_applied(await StreamTally.get(envelope.subject), envelope)

    async def reset(self) -> None:
        await StreamTally.delete_all()

    async def tallies(self, streams: Sequence[str]) -> dict[str, list[int]]:
        """Applied versions per stream, in the order they were applied."""
        found = {doc.id: doc for doc in await StreamTally.find_all().to_list()}
        return {s: found[s].versions if s in found else [] for s in streams}


@pytest.fixture(scope="session")
async def read_store() -> AsyncIterator[AsyncMongoClient]:
    """Beanie bound to a private database on the shared MongoDB-wire server."""
    database = unique("h3test").replace(".", "_")
    client = await init_read_store(mongo_url(), database, [StreamTally])
    yield client
    await client.drop_database(database)
    await client.close()


@pytest.fixture(params=["inprocess", "kafka"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Transport]:
    """Each transport in turn: the runner's behaviour must not depend on it."""
    transport: Transport
    if request.param == "kafka":
        transport = KafkaTransport(kafka_bootstrap(), client_id="pos-test")
    else:
        transport = InProcessTransport()
    await transport.start()
    yield transport
    await transport.stop()


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 30.0, what: str = "condition"
) -> None:
    """Poll `check` until true; fail the test with `what` after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, f"timed out after {timeout}s waiting for {what}"
        await asyncio.sleep(0.05)


def counted(subject: str, count: int, *, start: int = 1, source: str = "test") -> list[Envelope]:
    """`count` consecutive events of one stream, versions start..start+count-1."""
    return [
        Envelope(
            type=f"pos.{source}.Counted.v1",
            source=source,
            subject=subject,
            data={"n": version},
            stream_version=version,
        )
        for version in range(start, start + count)
    ]


async def append(store: EventStore, stream: str, count: int, *, source: str) -> list[Envelope]:
    """Append `count` events to `stream` (as a command would) and return them, stored."""
    version = await store.stream_version(stream)
    fresh = [
        Envelope(
            type=f"pos.{source}.Counted.v1",
            source=source,
            subject=stream,
            data={"n": version + i + 1},
            stream_version=0,
        )
        for i in range(count)
    ]
    return await store.append(stream, version, fresh)


def first_deliveries(messages: Sequence[Message]) -> dict[str, list[int]]:
    """Per key, stream versions in first-delivery order (redeliveries dropped)."""
    seen: set[tuple[str, int]] = set()
    order: dict[str, list[int]] = {}
    for m in messages:
        assert m.envelope is not None, m.error
        ident = (m.envelope.subject, m.envelope.stream_version)
        if ident not in seen:
            seen.add(ident)
            order.setdefault(m.envelope.subject, []).append(m.envelope.stream_version)
    return order

"""A projector process for the scale-out tests: one `ProjectionRunner` in a consumer group.

Run as ``python -m tests.infra.scale_projector TOPIC GROUP DATABASE``. It is what
`pos project <context>` runs (a `ProjectionRunner` per projection on a `KafkaTransport`,
consumer group = projection name) with a read model that shows duplicates: each stream's
document lists the versions it applied and which process applied each one, so a test can
kill one of two such processes and then check that every version was applied exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from beanie import Document
from pydantic import Field

from eventbus import Envelope
from eventbus.projection import Projection, ProjectionRunner
from eventbus.readmodel import AppliedMixin, init_read_store, is_applied, mark_applied
from eventbus.transports.kafka import KafkaTransport

APPLY_DELAY = 0.01
"""Seconds per apply, so that a kill lands while messages are in hand, not committed."""


class ScaleTally(AppliedMixin, Document):
    """Per stream: the versions applied, in order, and the pid that applied each."""

    id: str  # type: ignore[assignment]  # the stream id
    versions: list[int] = Field(default_factory=list)
    pids: list[int] = Field(default_factory=list)

    class Settings:
        name = "scale_tally"


class ScaleProjection(Projection):
    def __init__(self, topic: str, group: str) -> None:
        self.name = group
        self.topics = [topic]

    async def apply(self, envelope: Envelope) -> None:
        await asyncio.sleep(APPLY_DELAY)
        doc = await ScaleTally.get(envelope.subject) or ScaleTally(id=envelope.subject)
        if is_applied(doc, envelope):
            return
        doc.versions.append(envelope.stream_version)
        doc.pids.append(os.getpid())
        mark_applied(doc, envelope)
        await doc.save()

    async def has_applied(self, envelope: Envelope) -> bool:
        return is_applied(await ScaleTally.get(envelope.subject), envelope)

    async def reset(self) -> None:
        await ScaleTally.delete_all()


async def main(topic: str, group: str, database: str) -> None:
    mongo = await init_read_store(
        os.environ.get("POS_MONGO_URL", "mongodb://127.0.0.1:27017"), database, [ScaleTally]
    )
    transport = KafkaTransport(
        os.environ.get("POS_KAFKA_BOOTSTRAP", "127.0.0.1:9092"), client_id=f"scale-{os.getpid()}"
    )
    runner = ProjectionRunner(transport, ScaleProjection(topic, group), poll_timeout=0.2)
    await runner.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print("running", flush=True)
    await stop.wait()
    await runner.stop()
    await transport.stop()
    await mongo.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))

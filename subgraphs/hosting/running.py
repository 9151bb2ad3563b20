"""Start and stop one context inside a host: bind its read models, run its consumers.

Used by a stand-alone subgraph's lifespan (`app.create_subgraph_app`) and by a host that
mounts several contexts in one process (the embedded mode), which must call these itself
because Starlette does not run the lifespans of mounted apps.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from eventbus.ports import EventStore
from eventbus.progress import ProgressStore, highest_versions
from eventbus.projection import Projection
from subgraphs.hosting.consistency import mongo_progress
from subgraphs.hosting.context import ContextModule
from subgraphs.hosting.services import ContextServices

log = logging.getLogger(__name__)

CHECKPOINTS = "catch_up_checkpoints"  # collection in each context's read database


async def start_context(context: ContextModule, services: ContextServices) -> None:
    """Bind the context's documents to its database, then start projections and reactors.

    `services` must be started (`await services.start()`) and should be the context's own
    view (`services.for_context(context.name)`) when several contexts share a process.
    """
    documents = list(context.documents())
    if documents:
        await services.open_read_store(documents)
    consumers = [*context.projections(services), *context.reactors(services)]
    if services.replay_on_start:
        progress = mongo_progress(services.clients, services.database)
        checkpoints = (
            MongoCheckpoints(services.clients[0][services.database][CHECKPOINTS])
            if services.clients
            else None
        )
        for consumer in consumers:
            await catch_up(services.store, consumer, progress=progress, checkpoints=checkpoints)
    await services.start_runners(consumers)


class Checkpoints(Protocol):
    """How far catch-up has checked each projection against the store (a global position)."""

    async def position(self, projection: str) -> int: ...

    async def advance(self, projection: str, position: int) -> None: ...


class MongoCheckpoints:
    """Checkpoints in the context's read database, beside the documents they describe:
    a read store that is wiped or restored takes its checkpoints with it."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection

    async def position(self, projection: str) -> int:
        found = await self.collection.find_one({"_id": projection})
        return int(found["position"]) if found else 0

    async def advance(self, projection: str, position: int) -> None:
        await self.collection.update_one(
            {"_id": projection}, {"$max": {"position": position}}, upsert=True
        )


class MemoryCheckpoints:
    def __init__(self) -> None:
        self.positions: dict[str, int] = {}

    async def position(self, projection: str) -> int:
        return self.positions.get(projection, 0)

    async def advance(self, projection: str, position: int) -> None:
        self.positions[projection] = max(position, self.positions.get(projection, 0))


async def catch_up(
    store: EventStore,
    projection: Projection,
    page_size: int = 1000,
    *,
    progress: ProgressStore | None = None,
    checkpoints: Checkpoints | None = None,
) -> int:
    """Apply every stored event of the projection's topics it has not applied yet.

    The embedded bus lives in memory: events the relay published before a restart are
    gone from it, so a projection that had not applied them yet would never see them.
    Replaying from the store (idempotent apply skips the rest) closes that gap. Returns
    how many events were applied; one that fails is logged and skipped. Records what it
    moved past in `progress` like the runner does (read-your-writes waits).

    With `checkpoints`, it starts after the position the last catch-up reached, instead
    of checking every event ever stored at each start. That is exact for the embedded
    store (SQLite, one writer: positions commit in order, so nothing can appear below a
    position already read); events the runners applied after that catch-up are checked
    once more at the next start.
    """
    topics = set(projection.topics)
    applied = 0
    position = await checkpoints.position(projection.name) if checkpoints is not None else 0
    while page := await store.read_all(position, page_size):
        mine = [envelope for envelope in page if envelope.topic in topics]
        for envelope in mine:
            try:
                if not await projection.has_applied(envelope):
                    await projection.apply(envelope)
                    applied += 1
            except Exception:
                log.exception("catch-up %s: skipped %s", projection.name, envelope.id)
        if progress is not None and mine:
            await progress.record(projection.name, highest_versions(mine))
        last = page[-1].position
        if last is None or last <= position:
            raise RuntimeError(f"event store returned a page not after position {position}")
        position = last
        if checkpoints is not None:
            await checkpoints.advance(projection.name, position)
    return applied


async def stop_context(services: ContextServices) -> None:
    """Stop the context's runners and read-store clients (not shared infrastructure)."""
    await services.stop_runners()
    if not services.owns_infrastructure:
        await services.stop()

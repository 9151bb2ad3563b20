"""How far each projection has got, per stream, and the one bounded wait built on it.

Why per stream and not one "position reached" number: a projection reads a topic's
partitions independently and the relay can publish a late-committing event after a
higher position (the gap trap in the design), so "handled position 1236" does not mean
"handled everything up to 1236". What does hold is per-stream order (the Kafka key is the
stream id): once a projection has handled version 7 of a stream, it has handled 1..7.

`has_applied` alone cannot answer either: a projection that ignores an event type (a
report that only folds completed sales) never marks it, so a wait on it would never end.
The runner therefore records, after each batch and before committing its offsets, the
highest version of every stream it handled (applied, skipped as a duplicate or ignored,
or dead-lettered: the runner moved past it either way). `wait_projected` is done with an
event when the projection reports it applied or the recorded progress covers it.

Mutations (their own projection, `subgraphs.hosting.commands.execute`) and queries that
carry a consistency token (`eventbus.consistency`) both wait through `wait_projected`.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pymongo import UpdateOne

from eventbus.consistency import ConsistencyToken
from eventbus.envelope import Envelope
from eventbus.ports import EventStore

if TYPE_CHECKING:  # the runner in eventbus.projection records progress through this module
    from eventbus.projection import Projection

log = logging.getLogger(__name__)

COLLECTION = "projection_progress"

PROBE_FLOOR = 0.5
"""Seconds a read-store probe of `wait_handled` may always take, even at its deadline."""

MAX_TOKEN_EVENTS = 200
"""At most this many stored events are read to resolve one token (a mutation writes a
handful); events past it are not waited for."""


class ProgressStore(ABC):
    """Per projection and stream: the highest stream version the projection handled."""

    @abstractmethod
    async def record(self, projection: str, versions: Mapping[str, int]) -> None: ...

    @abstractmethod
    async def handled(self, projection: str, streams: Iterable[str]) -> dict[str, int]:
        """The recorded versions of `streams` (streams never handled are left out)."""

    async def handled_by(self, wanted: Mapping[str, Iterable[str]]) -> dict[str, dict[str, int]]:
        """`handled` for several projections at once (one round trip where the store can)."""
        return {name: await self.handled(name, streams) for name, streams in wanted.items()}


class MongoProgress(ProgressStore):
    """Progress in the projection's own read database (`projection_progress`), so the
    projector process and the subgraph processes that wait on it share it."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection

    async def record(self, projection: str, versions: Mapping[str, int]) -> None:
        if not versions:
            return
        updates = [
            UpdateOne(
                {"_id": _key(projection, stream)},
                {"$max": {"version": version}, "$set": {"projection": projection}},
                upsert=True,
            )
            for stream, version in versions.items()
        ]
        await self.collection.bulk_write(updates, ordered=False)

    async def handled(self, projection: str, streams: Iterable[str]) -> dict[str, int]:
        return (await self.handled_by({projection: streams})).get(projection, {})

    async def handled_by(self, wanted: Mapping[str, Iterable[str]]) -> dict[str, dict[str, int]]:
        keys = {
            _key(name, stream): (name, stream)
            for name, streams in wanted.items()
            for stream in streams
        }
        found: dict[str, dict[str, int]] = {}
        if not keys:
            return found
        async for row in self.collection.find({"_id": {"$in": list(keys)}}):
            name, stream = keys[row["_id"]]
            found.setdefault(name, {})[stream] = int(row["version"])
        return found


class MemoryProgress(ProgressStore):
    """For tests and for runners without a read store."""

    def __init__(self) -> None:
        self.versions: dict[tuple[str, str], int] = {}

    async def record(self, projection: str, versions: Mapping[str, int]) -> None:
        for stream, version in versions.items():
            key = (projection, stream)
            self.versions[key] = max(self.versions.get(key, 0), version)

    async def handled(self, projection: str, streams: Iterable[str]) -> dict[str, int]:
        return {s: v for s in streams if (v := self.versions.get((projection, s))) is not None}


def _key(projection: str, stream: str) -> str:
    return f"{projection}|{stream}"


def highest_versions(envelopes: Iterable[Envelope]) -> dict[str, int]:
    """Per stream, the highest version among `envelopes` (what a batch moved past)."""
    versions: dict[str, int] = {}
    for envelope in envelopes:
        if envelope.stream_version > versions.get(envelope.subject, 0):
            versions[envelope.subject] = envelope.stream_version
    return versions


async def wait_projected(
    projections: Sequence[Projection],
    envelopes: Sequence[Envelope],
    timeout: float,
    *,
    progress: ProgressStore | None = None,
) -> bool:
    """Wait until every projection has handled every envelope of its topics.

    True once done; False when `timeout` seconds pass first (the caller answers anyway,
    saying so). A read store that fails counts as not caught up, never as an error.
    """
    pending = [
        (projection, envelope)
        for projection in projections
        for envelope in envelopes
        if envelope.topic in set(projection.topics)
    ]
    return await wait_handled(pending, timeout, progress=progress)


async def wait_handled(
    pending: Sequence[tuple[Projection, Envelope]],
    timeout: float,
    *,
    progress: ProgressStore | None = None,
) -> bool:
    """`wait_projected` for explicit (projection, envelope) pairs, whatever their topics.

    Each probe of the read store is cut at the time left (at least `PROBE_FLOOR`): a store
    that is down fails a call only after its client's server selection timeout, which
    would otherwise stretch a 2 s wait to twice that."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    delay = 0.005
    while True:
        bound = max(deadline - loop.time(), PROBE_FLOOR)
        try:
            pending = await asyncio.wait_for(_still_pending(list(pending), progress), bound)
        except TimeoutError:  # the store cannot say in time: not caught up, as far as we know
            log.warning("wait_projected: read store probe cut at %.1f s", bound)
            return False
        if not pending:
            return True
        remaining = deadline - loop.time()
        if remaining <= 0:
            return False
        await asyncio.sleep(min(delay, remaining))
        delay = min(delay * 2, 0.1)


async def _still_pending(
    pending: list[tuple[Projection, Envelope]], progress: ProgressStore | None
) -> list[tuple[Projection, Envelope]]:
    recorded: dict[str, dict[str, int]] = {}
    if progress is not None and pending:
        by_projection: dict[str, set[str]] = {}
        for projection, envelope in pending:
            by_projection.setdefault(projection.name, set()).add(envelope.subject)
        try:
            recorded = await progress.handled_by(by_projection)
        except Exception as exc:
            log.warning("wait_projected: progress unreadable: %r", exc)
    still = []
    for projection, envelope in pending:
        if recorded.get(projection.name, {}).get(envelope.subject, 0) >= envelope.stream_version:
            continue
        try:
            applied = await projection.has_applied(envelope)
        except Exception as exc:  # read store down: not caught up, as far as we know
            log.warning("wait_projected %s: has_applied failed: %r", projection.name, exc)
            applied = False
        if not applied:
            still.append((projection, envelope))
    return still


async def envelopes_at(
    store: EventStore,
    token: ConsistencyToken,
    contexts: Iterable[str],
    *,
    limit: int = MAX_TOKEN_EVENTS,
) -> list[Envelope]:
    """The stored events a token names, in `contexts` only (those a reader projects).

    Reads the store by position from the lowest span up (gaps are fine), keeping events
    of a named context inside its span, and stops after `limit` events read.
    """
    wanted = {c: s for c, s in token.items() if c in set(contexts)}
    if not wanted:
        return []
    position = min(span.first for span in wanted.values()) - 1
    end = max(span.last for span in wanted.values())
    found: list[Envelope] = []
    read = 0
    while read < limit:
        page = await store.read_all(position, min(500, limit - read))
        if not page:
            break
        read += len(page)
        for envelope in page:
            span = wanted.get(envelope.source)
            at = envelope.position or 0
            if span is not None and span.first <= at <= span.last:
                found.append(envelope)
        last = page[-1].position
        if last is None or last <= position or last >= end:
            break
        position = last
    return found

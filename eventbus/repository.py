"""The event-sourced repository: load an aggregate from its stream, save its new events.

This is the seed system's Generic Repository, event-sourced: `load` replays the stream
(from the latest snapshot, when there is one), `save` appends the aggregate's pending
events with the version it was loaded at as the expected version, inside a unit of work
that also writes them to the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar, runtime_checkable

from eventbus.actor import current_actor
from eventbus.aggregate import Aggregate, NotFound
from eventbus.envelope import Envelope
from eventbus.events import DomainEvent, UnknownEvent, registry
from eventbus.ports import EventStore, Snapshot, UnitOfWork

A = TypeVar("A", bound=Aggregate)

__all__ = ["EventSourcedRepository", "UnreadableStream", "to_domain"]


def to_domain(envelope: Envelope) -> DomainEvent | UnknownEvent:
    """The domain event an envelope carries (upcast to the newest version we know)."""
    return registry.decode(envelope.type, envelope.data)


log = logging.getLogger(__name__)


class UnreadableStream(Exception):
    """A stream holds an event type this code does not know, so the aggregate can't be
    rebuilt. Deploy code that registers the type (or an upcaster for it)."""

    def __init__(self, stream_id: str, type_name: str) -> None:
        super().__init__(
            f"stream {stream_id!r} contains event type {type_name!r}, which no class or "
            "upcaster is registered for; deploy the code that defines it before loading"
        )
        self.stream_id = stream_id
        self.type_name = type_name


@runtime_checkable
class _SnapshotInTransaction(Protocol):
    async def save_snapshot(self, snapshot: Snapshot) -> None: ...


class EventSourcedRepository(Generic[A]):
    """Loads and saves one aggregate class.

    With `snapshot_every=N`, a snapshot (`Aggregate.snapshot_state`) is written in the
    same transaction as the append whenever the stream crosses a multiple of N, and
    `load` starts from it. A snapshot is only a cache of the stream: deleting snapshots
    is always safe.
    """

    def __init__(
        self, store: EventStore, aggregate: type[A], *, snapshot_every: int | None = None
    ) -> None:
        if snapshot_every is not None and snapshot_every < 1:
            raise ValueError("snapshot_every must be a positive number of events, or None")
        self.store = store
        self.aggregate = aggregate
        self.snapshot_every = snapshot_every

    async def get(self, aggregate_id: str) -> A | None:
        """The aggregate, or None when its stream is empty."""
        snapshot = await self.store.load_snapshot(aggregate_id) if self.snapshot_every else None
        agg = self.aggregate(aggregate_id)
        if snapshot is not None:
            try:
                agg.restore_state(snapshot.state)
                agg.version = snapshot.version
            except (KeyError, TypeError, ValueError):
                # a snapshot in a shape this code does not know (written by another
                # release): it is only a cache, so replay the stream instead
                log.warning(
                    "snapshot of %s %s at version %d is unreadable; replaying its stream",
                    self.aggregate.__name__,
                    aggregate_id,
                    snapshot.version,
                )
                snapshot, agg = None, self.aggregate(aggregate_id)
        start = snapshot.version if snapshot else 0
        envelopes = await self.store.read_stream(aggregate_id, from_version=start + 1)
        if snapshot is None and not envelopes:
            return None
        for envelope in envelopes:
            agg.apply(self._decode(aggregate_id, envelope))
            agg.version += 1
        return agg

    async def load(self, aggregate_id: str) -> A:
        """The aggregate; raises `NotFound` when its stream is empty."""
        agg = await self.get(aggregate_id)
        if agg is None:
            name = self.aggregate.__name__
            raise NotFound(f"{name} {aggregate_id} does not exist", field="id", id=aggregate_id)
        return agg

    async def save(
        self,
        agg: A,
        *,
        uow: UnitOfWork | None = None,
        correlation_id: str | None = None,
        causation_id: str | None = None,
    ) -> list[Envelope]:
        """Append the aggregate's pending events; returns them as stored envelopes.

        With `uow`, the append joins that transaction (commit is the caller's); the
        aggregate's pending events are taken as soon as they are staged. Raises
        `ConcurrencyError` when another writer saved the same aggregate first.
        """
        pending = agg.pending
        if not pending:
            return []
        expected = agg.version - len(pending)
        actor = current_actor()
        envelopes = [
            Envelope(
                type=evt.event_type,
                source=self.aggregate.context,
                subject=agg.id,
                data=evt.payload(),
                stream_version=expected + i,
                correlation_id=correlation_id,
                causation_id=causation_id,
                actor=actor,
            )
            for i, evt in enumerate(pending, start=1)
        ]
        if uow is None:
            async with self.store.unit_of_work() as own:
                stored = await self._stage(own, agg, expected, envelopes)
        else:
            stored = await self._stage(uow, agg, expected, envelopes)
        agg.collect()
        return stored

    async def _stage(
        self, uow: UnitOfWork, agg: A, expected: int, envelopes: Sequence[Envelope]
    ) -> list[Envelope]:
        stored = await uow.append(agg.id, expected, envelopes)
        snapshot = self._snapshot_due(agg, expected)
        # Only inside the same transaction: a snapshot written separately could outlive
        # a rolled-back append and describe a version that never committed.
        if snapshot is not None and isinstance(uow, _SnapshotInTransaction):
            await uow.save_snapshot(snapshot)
        return stored

    def _snapshot_due(self, agg: A, expected: int) -> Snapshot | None:
        every = self.snapshot_every
        if every is None or agg.version // every == expected // every:
            return None
        state = agg.snapshot_state()
        if state is None:
            return None
        return Snapshot(stream_id=agg.id, version=agg.version, state=state)

    def _decode(self, stream_id: str, envelope: Envelope) -> DomainEvent:
        decoded = to_domain(envelope)
        if isinstance(decoded, UnknownEvent):
            raise UnreadableStream(stream_id, envelope.type)
        return decoded

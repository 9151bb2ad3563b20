"""Projections and the runner that feeds them from a transport.

The runner gives at-least-once delivery an exactly-once effect: it skips what the
projection reports as applied, commits offsets only after the write (or after setting a
message aside in the dead-letter topic), and never stops on one bad message: after
`max_attempts` failed applies the original bytes go to `<topic>.dlq` with headers saying
why, and the runner moves on. A broken connection (broker or read store down) is not the
message's fault: the runner backs off, reconnects, and resumes from the committed offsets;
a read store lost in the middle of an apply is retried the same way, never dead-lettered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pymongo.errors import ConnectionFailure

from eventbus.actor import acting_as, system_actor
from eventbus.envelope import Envelope, dead_letter_topic
from eventbus.ports import Consumer, EventStore, Message, Transport
from eventbus.progress import ProgressStore, highest_versions, wait_handled
from eventbus.tracing import processing

log = logging.getLogger(__name__)

MAX_BACKOFF = 5.0
LOST_CONNECTION = (ConnectionFailure, ConnectionError)
"""What `apply` raises when the read store went away (pymongo's, or a socket's): retried
with backoff like `has_applied` failures, without spending the message's attempts."""


class Projection(ABC):
    """A read model built from events. `apply` must be idempotent (see `eventbus.readmodel`).

    `name` (also the default consumer group) and `topics` are usually class attributes;
    an instance may set its own.
    """

    name: str
    topics: Sequence[str]

    @abstractmethod
    async def apply(self, envelope: Envelope) -> None: ...

    @abstractmethod
    async def has_applied(self, envelope: Envelope) -> bool: ...

    @abstractmethod
    async def reset(self) -> None:
        """Drop the read model, before a rebuild."""


@dataclass
class RunnerMetrics:
    applied: int = 0
    skipped: int = 0
    """Duplicates: messages the projection had already applied."""
    retried: int = 0
    dead_lettered: int = 0
    lag: int = 0
    """As of the last `runner.lag()` call."""
    reconnects: int = 0
    """Times the runner dropped its consumer after a transport or store failure."""
    last_event_time: datetime | None = None
    """`time` of the last event applied (or skipped): how far the read model has come."""

    @property
    def skipped_duplicates(self) -> int:
        return self.skipped

    @property
    def retries(self) -> int:
        return self.retried


class _StoreUnavailable(Exception):
    """`has_applied` failed: the read store is down, which no message is to blame for."""


class ProjectionRunner:
    """Consume `projection.topics` in consumer group `group` (default: projection name)."""

    def __init__(
        self,
        transport: Transport,
        projection: Projection,
        *,
        group: str | None = None,
        max_attempts: int = 5,
        base_backoff: float = 0.05,
        poll_timeout: float = 0.5,
        batch_size: int = 500,
        progress: ProgressStore | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.transport = transport
        self.projection = projection
        self.group = group or projection.name
        self.max_attempts = max_attempts
        self.base_backoff = base_backoff
        self.poll_timeout = poll_timeout
        self.batch_size = batch_size
        self.progress = progress
        """Where the runner records, per batch, the stream versions it moved past
        (`eventbus.progress`: what read-your-writes waits on)."""
        self.metrics = RunnerMetrics()
        self._consumer: Consumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._busy = False

    async def start(self) -> None:
        """Join the group now (raises if the transport is unreachable), then run."""
        if self._task is not None:
            return
        self._stopping = False
        await self._connect()
        self._task = asyncio.create_task(self._run(), name=f"projection:{self.projection.name}")

    async def stop(self) -> None:
        """Finish the message in hand, commit what was applied, leave the group."""
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            if not self._busy:  # polling or backing off: nothing to finish
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._disconnect()

    async def lag(self) -> int:
        """Records in the projection's topics not yet committed by its group."""
        consumer = self._consumer
        if consumer is not None:
            self.metrics.lag = await consumer.lag()
            return self.metrics.lag
        probe = self.transport.consumer(self.group, self.projection.topics)
        await probe.start()
        try:
            self.metrics.lag = await probe.lag()
        finally:
            await probe.stop()
        return self.metrics.lag

    async def _connect(self) -> None:
        if self._consumer is None:
            consumer = self.transport.consumer(self.group, self.projection.topics)
            await consumer.start()
            self._consumer = consumer

    async def _disconnect(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            try:
                await self._connect()
                await self._step()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                self.metrics.reconnects += 1
                log.exception(
                    "projection %s: consumer failed; reconnecting from committed offsets",
                    self.projection.name,
                )
                await self._disconnect()
                if self._stopping:
                    return
                await asyncio.sleep(self._backoff(failures))

    async def _step(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        messages = await consumer.poll(self.poll_timeout, self.batch_size)
        if self._stopping:
            return
        self._busy = True
        done: list[Message] = []
        try:
            for message in messages:
                if self._stopping:
                    break
                with processing(message, self.group):  # continues the event's trace
                    await self._handle(message)
                done.append(message)
        finally:
            try:
                if done:
                    await self._record_progress(done)
                    await consumer.commit(done)
            finally:
                self._busy = False

    async def _record_progress(self, done: Sequence[Message]) -> None:
        """Before the commit: a crash after it re-delivers, and recording again is a no-op.
        A failure only delays readers that wait on it (to their bound), so it is logged."""
        if self.progress is None:
            return
        versions = highest_versions(m.envelope for m in done if m.envelope is not None)
        try:
            await self.progress.record(self.projection.name, versions)
        except Exception as exc:
            log.warning("projection %s: progress not recorded: %r", self.projection.name, exc)

    async def _handle(self, message: Message) -> None:
        envelope = message.envelope
        if envelope is None:
            await self._dead_letter(message, message.error or "undecodable message", 0)
            return
        attempt = 0
        store_failures = 0
        while True:
            try:
                if await self._has_applied(envelope):
                    self.metrics.skipped += 1
                    self.metrics.last_event_time = envelope.time
                    return
                attempt += 1
                # events a reactor writes name the actor of the event that caused them
                with acting_as(envelope.actor or system_actor(self.projection.name)):
                    await self.projection.apply(envelope)
                self.metrics.applied += 1
                self.metrics.last_event_time = envelope.time
                return
            except _StoreUnavailable:
                if self._stopping:
                    raise
                store_failures += 1
                await asyncio.sleep(self._backoff(store_failures))
            except Exception as exc:
                if isinstance(exc, LOST_CONNECTION):  # not this message's fault
                    if self._stopping:
                        raise  # uncommitted: the next run applies it
                    attempt -= 1
                    store_failures += 1
                    name = self.projection.name
                    log.warning("projection %s: apply lost its connection: %r", name, exc)
                    await asyncio.sleep(self._backoff(store_failures))
                    continue
                if attempt >= self.max_attempts:
                    log.error(
                        "projection %s: %s at %s[%d]@%d failed %d times, dead-lettered: %r",
                        self.projection.name,
                        envelope.type,
                        message.topic,
                        message.partition,
                        message.offset,
                        attempt,
                        exc,
                    )
                    await self._dead_letter(message, f"{type(exc).__name__}: {exc}", attempt)
                    return
                self.metrics.retried += 1
                await asyncio.sleep(self._backoff(attempt))

    async def _has_applied(self, envelope: Envelope) -> bool:
        try:
            return await self.projection.has_applied(envelope)
        except Exception as exc:
            log.warning("projection %s: has_applied failed: %r", self.projection.name, exc)
            raise _StoreUnavailable from exc

    async def _dead_letter(self, message: Message, error: str, attempts: int) -> None:
        headers = [
            *(h for h in message.headers if not h[0].startswith("dlq_")),
            ("dlq_error", error.encode()),
            ("dlq_topic", message.topic.encode()),
            ("dlq_partition", str(message.partition).encode()),
            ("dlq_offset", str(message.offset).encode()),
            ("dlq_attempts", str(attempts).encode()),
            ("dlq_projection", self.projection.name.encode()),
            ("dlq_group", self.group.encode()),
        ]
        await self.transport.publish_raw(
            dead_letter_topic(message.topic), message.key, message.raw, headers
        )
        self.metrics.dead_lettered += 1

    def _backoff(self, attempt: int) -> float:
        return float(min(MAX_BACKOFF, self.base_backoff * 2 ** (attempt - 1)))


@dataclass
class RebuildReport:
    applied: int = 0
    failed: list[tuple[Envelope, str]] = field(default_factory=list)
    """Events that kept failing and were skipped, as the live runner dead-letters them."""


async def rebuild(
    store: EventStore,
    projection: Projection,
    *,
    page_size: int = 1000,
    max_attempts: int = 3,
) -> RebuildReport:
    """Reset the read model and replay every event of the projection's topics from the store.

    Pages through `read_all` by position (gaps are fine: the next page starts after the
    last position seen, not at the next integer). An event that fails `max_attempts`
    times is skipped and reported, like the live runner's dead letters, so a rebuild
    equals the live result. Stop the projection's runner first, or restart it afterwards:
    its group resumes from its own offsets and skips what the rebuild already applied.
    """
    await projection.reset()
    topics = set(projection.topics)
    report = RebuildReport()
    position = 0
    while True:
        page = await store.read_all(position, page_size)
        if not page:
            return report
        for envelope in page:
            if envelope.topic in topics:
                error = await _apply_with_retries(projection, envelope, max_attempts)
                if error is None:
                    report.applied += 1
                else:
                    log.error("rebuild %s: skipped %s: %s", projection.name, envelope.id, error)
                    report.failed.append((envelope, error))
        last = page[-1].position
        if last is None or last <= position:
            raise RuntimeError(f"event store returned a page not after position {position}")
        position = last


async def _apply_with_retries(
    projection: Projection, envelope: Envelope, max_attempts: int
) -> str | None:
    for attempt in range(1, max(1, max_attempts) + 1):
        try:
            await projection.apply(envelope)
            return None
        except Exception as exc:
            if attempt >= max_attempts:
                return f"{type(exc).__name__}: {exc}"
    return None


async def wait_applied(
    projection: Projection,
    envelopes: Sequence[Envelope],
    timeout: float,
    *,
    progress: ProgressStore | None = None,
) -> bool:
    """Read-your-writes for one projection: `eventbus.progress.wait_handled`.

    Returns False at the timeout (the caller answers from the write model instead).
    """
    return await wait_handled([(projection, e) for e in envelopes], timeout, progress=progress)

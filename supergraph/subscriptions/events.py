"""The gateway's own read of the event topics, fanned out to live subscribers.

Every gateway instance consumes with a consumer group of its own (unique per feed) from
the latest offsets: each instance sees every event and delivers it to its own clients;
nothing is shared or load-balanced between instances. Events published while an instance
is down are not replayed to it (clients re-query, see docs/subscriptions.md). It commits
what it delivered, best effort, only so that rejoining its own group after a broker
outage resumes where it stopped instead of jumping to "latest" past the events published
since the broker came back.

Fan-out never blocks: each subscriber has a bounded queue, and one that falls behind is
closed with `SubscriberOverflow` instead of slowing the consumer or the other subscribers.

The broker is not needed to start: a feed with no topics (a supergraph without
`@eventSource`) never touches it, and a feed whose broker cannot be reached at startup
keeps connecting in the background (backoff up to `retry_max` seconds) while the gateway
serves queries and mutations. Until it is positioned, new subscriptions are refused with
`FeedUnavailable` (code EVENT_FEED_UNAVAILABLE) rather than held: a client told at once
can show "live updates unavailable" and retry, where a held one would wait silently. A feed
whose consumer fails while running ends its subscriptions the same way and reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import uuid4

from eventbus.envelope import Envelope
from eventbus.ports import Consumer, Message, Transport

from .cursor import REORDER_HORIZON_S, Arrivals

log = logging.getLogger(__name__)

Accept = Callable[[Envelope], bool]
_CLOSED = object()


class SubscriptionClosed(Exception):
    """The feed ended this subscription; the message says why and what to do."""


class SubscriberOverflow(SubscriptionClosed):
    """The subscriber did not keep up: its queue filled, so it was closed."""

    code = "SUBSCRIPTION_OVERFLOW"


class FeedStopped(SubscriptionClosed):
    """The gateway's event feed stopped (shutdown or a lost broker connection)."""

    code = "SUBSCRIPTION_ENDED"


class FeedUnavailable(SubscriptionClosed):
    """The feed is not connected to its broker yet (or again): new subscriptions wait for it."""

    code = "EVENT_FEED_UNAVAILABLE"


@dataclass
class FeedMetrics:
    received: int = 0
    delivered: int = 0
    overflowed: int = 0
    accept_failures: int = 0


class FeedSubscription:
    """One subscriber's ordered, bounded stream of matching envelopes.

    Iterate with ``async for``; iteration ends after `close()` and raises the reason when
    the feed closed it (`SubscriberOverflow`, `FeedStopped`). Always `close()` it (or use
    ``async with``) so the feed stops matching events for it.
    """

    def __init__(self, feed: EventFeed, topic: str, accept: Accept, queue_size: int) -> None:
        self.topic = topic
        self.accept = accept
        self._feed = feed
        self._queue: asyncio.Queue[object] = asyncio.Queue(maxsize=queue_size + 1)
        self._limit = queue_size
        self.closed_reason: SubscriptionClosed | None = None
        self.closed = False

    def _offer(self, envelope: Envelope) -> bool:
        """Queue without waiting; False (and closed) when the subscriber is too far behind."""
        if self.closed:
            return False
        if self._queue.qsize() >= self._limit:
            self._close(
                SubscriberOverflow(
                    f"the subscriber fell behind: {self._limit} events were waiting unread, so "
                    "the gateway closed the subscription; re-query the current state and "
                    "subscribe again"
                )
            )
            return False
        self._queue.put_nowait(envelope)
        return True

    def _close(self, reason: SubscriptionClosed | None) -> None:
        if self.closed:
            return
        self.closed = True
        self.closed_reason = reason
        self._feed._remove(self)
        if reason is not None:
            # Drop what is queued: the reader learns the reason next, not after a backlog.
            while not self._queue.empty():
                self._queue.get_nowait()
        self._queue.put_nowait(_CLOSED)

    def close(self) -> None:
        """Unsubscribe: frees the queue and stops matching events for this subscriber."""
        self._close(None)

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def __aiter__(self) -> FeedSubscription:
        return self

    async def __anext__(self) -> Envelope:
        item = await self._queue.get()
        if item is _CLOSED:
            self._queue.put_nowait(_CLOSED)
            if self.closed_reason is not None:
                raise self.closed_reason
            raise StopAsyncIteration
        assert isinstance(item, Envelope)
        return item

    async def __aenter__(self) -> FeedSubscription:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


def instance_group(prefix: str = "pos-gateway-live") -> str:
    """A consumer group no other gateway instance (or restart of this one) shares."""
    return f"{prefix}-{socket.gethostname()}-{os.getpid()}-{uuid4().hex[:12]}"


class EventFeed:
    """Consumes `topics` from the latest offsets and hands matching envelopes to subscribers.

    `queue_size` bounds each subscriber's backlog. `start()` returns once the consumer is
    positioned, so an event published after it is delivered to every subscriber then
    registered.
    """

    def __init__(
        self,
        transport: Transport,
        topics: Sequence[str],
        *,
        group: str | None = None,
        queue_size: int = 256,
        poll_timeout: float = 0.5,
        max_records: int = 500,
        ready_timeout: float = 30.0,
        retry_initial: float = 0.5,
        retry_max: float = 10.0,
        reorder_horizon: float = REORDER_HORIZON_S,
    ) -> None:
        if queue_size < 1:
            raise ValueError("queue_size must be at least 1")
        self.transport = transport
        self.topics = sorted(set(topics))
        self.group = group or instance_group()
        self.queue_size = queue_size
        self.poll_timeout = poll_timeout
        self.max_records = max_records
        self.ready_timeout = ready_timeout
        self.retry_initial = retry_initial
        self.retry_max = retry_max
        self.metrics = FeedMetrics()
        self._subscribers: dict[str, set[FeedSubscription]] = {t: set() for t in self.topics}
        # cursor.py: what arrived lately, where a fresh subscription's cursor starts
        self._arrivals = {t: Arrivals(horizon=reorder_horizon) for t in self.topics}
        self._consumer: Consumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None
        self._connected = False

    @property
    def connected(self) -> bool:
        """Consuming (positioned on every partition): new subscriptions are accepted."""
        return self._connected or not self.topics

    @property
    def subscriber_count(self) -> int:
        return sum(len(subs) for subs in self._subscribers.values())

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Connect and position the consumer; returns once it is (events published after
        it are delivered). A broker that cannot be reached does not fail the start: the
        feed logs it and keeps connecting in the background. No topics: nothing to do."""
        if self._task is not None or not self.topics:
            return
        try:
            consumer = await self._connect()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning(
                "event feed %s cannot reach the broker (%s: %s); serving without live events "
                "and retrying in the background",
                self.group,
                exc.__class__.__name__,
                exc,
            )
            consumer = None
        self._task = asyncio.create_task(self._run(consumer), name=f"event-feed {self.group}")

    async def _connect(self) -> Consumer:
        consumer = self.transport.consumer(self.group, self.topics, from_beginning=False)
        try:
            await consumer.start()
            # Every partition gets its position first, so nothing published later is missed.
            await consumer.wait_assigned(timeout=self.ready_timeout)
        except BaseException:
            with contextlib.suppress(Exception):
                await consumer.stop()
            raise
        self._consumer = consumer
        self._connected = True
        return consumer

    async def stop(self) -> None:
        """Stop consuming and end every subscription with `FeedStopped`."""
        task, self._task = self._task, None
        self._connected = False
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await consumer.stop()
        self._close_all(FeedStopped("the gateway is shutting down: subscribe again shortly"))

    def subscribe(
        self, topic: str, accept: Accept, *, queue_size: int | None = None
    ) -> FeedSubscription:
        """A new subscriber to `topic` receiving the envelopes for which `accept` is true."""
        if topic not in self._subscribers:
            raise ValueError(
                f"this feed does not consume {topic!r} (it reads {', '.join(self.topics)}); "
                "create the feed with every topic its event sources name"
            )
        if not self._connected:
            raise FeedUnavailable(
                "live events are unavailable: the gateway is not connected to its event "
                "broker (it keeps reconnecting); queries and mutations still work, so re-query "
                "the current state and subscribe again in a few seconds"
            )
        sub = FeedSubscription(self, topic, accept, queue_size or self.queue_size)
        self._subscribers[topic].add(sub)
        return sub

    def arrivals(self, topic: str) -> Arrivals | None:
        """What the feed received of `topic` within the reorder horizon, as of now."""
        arrivals = self._arrivals.get(topic)
        return arrivals.snapshot() if arrivals is not None else None

    def _remove(self, sub: FeedSubscription) -> None:
        self._subscribers.get(sub.topic, set()).discard(sub)

    def _close_all(self, reason: SubscriptionClosed) -> None:
        for subs in list(self._subscribers.values()):
            for sub in list(subs):
                sub._close(reason)

    async def _run(self, consumer: Consumer | None) -> None:
        """Consume; on a failure end the subscriptions, then reconnect with backoff."""
        delay = self.retry_initial
        while True:
            if consumer is None:
                try:
                    consumer = await self._connect()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.info("event feed %s: broker still unreachable (%s)", self.group, exc)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.retry_max)
                    continue
                log.warning("event feed %s connected: live events are back", self.group)
                delay = self.retry_initial
            try:
                await self._consume(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("event feed %s failed; ending its subscriptions", self.group)
                self._failure = exc
                self._connected = False
                self._close_all(
                    FeedStopped(f"the gateway lost its event feed ({exc}); subscribe again later")
                )
                self._consumer = None
                with contextlib.suppress(Exception):
                    await consumer.stop()
                consumer = None
                await asyncio.sleep(delay)

    async def _consume(self, consumer: Consumer) -> None:
        while True:
            messages = await consumer.poll(timeout=self.poll_timeout, max_records=self.max_records)
            self._dispatch(messages)
            if messages:
                await self._commit(consumer, messages)

    async def _commit(self, consumer: Consumer, messages: Sequence[Message]) -> None:
        """Best effort: a failed commit (broker away, rebalance) only costs that resume
        point; the feed goes on."""
        try:
            await consumer.commit(messages)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.debug("event feed %s could not commit its position: %s", self.group, exc)

    def _dispatch(self, messages: Sequence[Message]) -> None:
        for message in messages:
            envelope = message.envelope
            if envelope is None:
                continue  # undecodable: the projectors dead-letter it; nothing to push
            self.metrics.received += 1
            if envelope.position is not None:
                arrivals = self._arrivals.get(message.topic)
                if arrivals is not None:
                    arrivals.arrived(envelope.position)
            for sub in list(self._subscribers.get(message.topic, ())):
                try:
                    wanted = sub.accept(envelope)
                except Exception as exc:
                    self.metrics.accept_failures += 1
                    sub._close(SubscriptionClosed(f"the subscription's filter failed: {exc}"))
                    continue
                if not wanted:
                    continue
                if sub._offer(envelope):
                    self.metrics.delivered += 1
                else:
                    self.metrics.overflowed += 1

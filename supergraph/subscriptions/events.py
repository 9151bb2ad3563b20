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
        self.metrics = FeedMetrics()
        self._subscribers: dict[str, set[FeedSubscription]] = {t: set() for t in self.topics}
        self._consumer: Consumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None

    @property
    def subscriber_count(self) -> int:
        return sum(len(subs) for subs in self._subscribers.values())

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if self._task is not None:
            return
        consumer = self.transport.consumer(self.group, self.topics, from_beginning=False)
        await consumer.start()
        try:
            # Every partition gets its position first, so nothing published later is missed.
            await consumer.wait_assigned(timeout=self.ready_timeout)
        except BaseException:
            await consumer.stop()
            raise
        self._consumer = consumer
        self._task = asyncio.create_task(self._run(consumer), name=f"event-feed {self.group}")

    async def stop(self) -> None:
        """Stop consuming and end every subscription with `FeedStopped`."""
        task, self._task = self._task, None
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
        if self._failure is not None or (self._task is not None and self._task.done()):
            raise FeedStopped("the gateway's event feed has stopped; try again later")
        sub = FeedSubscription(self, topic, accept, queue_size or self.queue_size)
        self._subscribers[topic].add(sub)
        return sub

    def _remove(self, sub: FeedSubscription) -> None:
        self._subscribers.get(sub.topic, set()).discard(sub)

    def _close_all(self, reason: SubscriptionClosed) -> None:
        for subs in list(self._subscribers.values()):
            for sub in list(subs):
                sub._close(reason)

    async def _run(self, consumer: Consumer) -> None:
        try:
            while True:
                messages = await consumer.poll(
                    timeout=self.poll_timeout, max_records=self.max_records
                )
                self._dispatch(messages)
                if messages:
                    await self._commit(consumer, messages)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("event feed %s failed; ending its subscriptions", self.group)
            self._failure = exc
            self._close_all(
                FeedStopped(f"the gateway lost its event feed ({exc}); subscribe again later")
            )

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

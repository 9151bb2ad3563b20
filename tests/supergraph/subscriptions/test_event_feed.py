"""EventFeed contract, run over the in-process transport and over real Kafka."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from eventbus.envelope import Envelope
from eventbus.ports import Transport
from eventbus.transports.inprocess import InProcessTransport
from eventbus.transports.kafka import KafkaTransport
from supergraph.subscriptions import (
    EventFeed,
    FeedStopped,
    FeedSubscription,
    SubscriberOverflow,
)


def _event(subject: str, version: int = 1, **data: object) -> Envelope:
    return Envelope(
        type="pos.ordering.OrderPaid.v1",
        source="ordering",
        subject=subject,
        data=dict(data),
        stream_version=version,
    )


async def _take(sub: FeedSubscription, count: int, timeout: float = 10.0) -> list[Envelope]:
    out: list[Envelope] = []
    async with asyncio.timeout(timeout):
        async for envelope in sub:
            out.append(envelope)
            if len(out) == count:
                break
    return out


async def _nothing_more(sub: FeedSubscription, wait: float = 0.5) -> None:
    await asyncio.sleep(wait)
    assert sub.pending == 0


class FeedContract:
    """Subclassed per transport; `transport` and `topic` fixtures come from the subclass."""

    async def test_every_instance_receives_every_event_in_order(
        self, transport: Transport, topic: str
    ) -> None:
        await transport.publish(topic, [_event("before-start")])
        first = EventFeed(transport, [topic])
        second = EventFeed(transport, [topic])
        await asyncio.gather(first.start(), second.start())
        try:
            assert first.group != second.group
            a = first.subscribe(topic, lambda e: True)
            b = second.subscribe(topic, lambda e: True)
            events = [_event("order-1", v) for v in range(1, 6)]
            await transport.publish(topic, events)
            for sub in (a, b):
                got = await _take(sub, 5)
                assert [e.id for e in got] == [e.id for e in events]  # same key: in order
                await _nothing_more(sub, 0.2)  # and the event before start is not replayed
        finally:
            await asyncio.gather(first.stop(), second.stop())

    async def test_filters_backpressure_and_unsubscribe(
        self, transport: Transport, topic: str
    ) -> None:
        feed = EventFeed(transport, [topic], queue_size=3)
        await feed.start()
        try:
            seen_by_quitter: list[str] = []

            def quitter_accepts(envelope: Envelope) -> bool:
                seen_by_quitter.append(envelope.id)
                return True

            wanted = feed.subscribe(topic, lambda e: e.data.get("customer") == "c-1", queue_size=50)
            slow = feed.subscribe(topic, lambda e: True)  # never reads
            quitter = feed.subscribe(topic, quitter_accepts, queue_size=50)
            assert feed.subscriber_count == 3
            quitter.close()
            assert feed.subscriber_count == 2

            events = [_event(f"o-{i}", 1, customer=f"c-{i % 2}") for i in range(10)]
            await transport.publish(topic, events)

            got = await _take(wanted, 5)
            assert {e.id for e in got} == {e.id for e in events if e.data["customer"] == "c-1"}

            with pytest.raises(SubscriberOverflow, match="fell behind: 3 events"):
                await _take(slow, 100, timeout=5)
            assert slow.closed and feed.subscriber_count == 1
            assert feed.metrics.overflowed >= 1

            assert seen_by_quitter == []  # unsubscribed: no more work done for it
            assert [e async for e in quitter] == []
        finally:
            await feed.stop()

    async def test_stop_ends_subscriptions_and_rejects_unknown_topics(
        self, transport: Transport, topic: str
    ) -> None:
        feed = EventFeed(transport, [topic])
        await feed.start()
        sub = feed.subscribe(topic, lambda e: True)
        with pytest.raises(ValueError, match=r"does not consume 'pos\.elsewhere'"):
            feed.subscribe("pos.elsewhere", lambda e: True)
        await feed.stop()
        with pytest.raises(FeedStopped, match="shutting down"):
            await _take(sub, 1)
        assert feed.subscriber_count == 0


class TestInProcessFeed(FeedContract):
    @pytest.fixture
    def transport(self) -> InProcessTransport:
        return InProcessTransport()

    @pytest.fixture
    def topic(self) -> str:
        return "pos.ordering"


class TestKafkaFeed(FeedContract):
    @pytest.fixture
    async def transport(self) -> AsyncIterator[KafkaTransport]:
        bootstrap = os.environ.get("POS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
        transport = KafkaTransport(bootstrap, client_id="pos-test-live")
        await transport.start()
        yield transport
        await transport.stop()

    @pytest.fixture
    def topic(self) -> str:
        return f"pos.test-live-{uuid4().hex[:10]}"

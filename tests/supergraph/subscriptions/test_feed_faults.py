"""A live subscription survives a Kafka outage: once the broker is back, the events
published after it reach the subscriber in order, without subscribing again.

This stops a broker, so it runs a private one (own ports and folder) through `pos.infra`,
never the shared one. Events appended while the broker is down wait in the outbox and go
out when the relay reaches Kafka again (tests/eventbus/test_relay_faults.py), so an outage
costs subscribers latency, not events.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from eventbus.envelope import Envelope
from eventbus.transports.kafka import KafkaTransport
from pos.infra import InfraConfig, start_service, stop_service
from supergraph.subscriptions import EventFeed, FeedSubscription

pytestmark = pytest.mark.services

TOPIC = "pos.ordering"


@pytest.fixture
async def private_kafka(tmp_path: Path) -> AsyncIterator[InfraConfig]:
    config = InfraConfig.isolated(tmp_path / "infra")
    await asyncio.to_thread(start_service, "kafka", config)
    yield config
    await asyncio.to_thread(stop_service, "kafka", config)


def _paid(order: str, version: int) -> Envelope:
    return Envelope(
        type="pos.ordering.OrderPaid.v1",
        source="ordering",
        subject=order,
        data={},
        stream_version=version,
    )


async def _publish_until_acknowledged(transport: KafkaTransport, events: list[Envelope]) -> None:
    """Retry like the relay does: a publish right after the restart may fail."""
    async with asyncio.timeout(30):
        while True:
            try:
                await transport.publish(TOPIC, events)
                return
            except Exception:
                await asyncio.sleep(0.2)


async def _take(sub: FeedSubscription, count: int, timeout: float) -> list[Envelope]:
    out: list[Envelope] = []
    async with asyncio.timeout(timeout):
        async for envelope in sub:
            out.append(envelope)
            if len(out) == count:
                break
    return out


async def test_delivery_resumes_after_the_broker_comes_back(private_kafka: InfraConfig) -> None:
    bootstrap = private_kafka.kafka_bootstrap
    publisher = KafkaTransport(
        bootstrap, client_id="publisher", request_timeout_ms=2000, delivery_timeout_ms=4000
    )
    feed_transport = KafkaTransport(bootstrap, client_id="gateway", request_timeout_ms=3000)
    feed = EventFeed(feed_transport, [TOPIC], poll_timeout=0.2)
    await feed.start()
    sub = feed.subscribe(TOPIC, lambda e: e.subject == "o-1")
    try:
        await _publish_until_acknowledged(publisher, [_paid("o-1", 1)])
        assert [e.stream_version for e in await _take(sub, 1, 10)] == [1]

        await asyncio.to_thread(stop_service, "kafka", private_kafka)
        await asyncio.sleep(1.0)  # the feed polls a broker that is not there
        assert feed.running, "an outage must not end the feed (and every subscription)"
        await asyncio.to_thread(start_service, "kafka", private_kafka)

        later = [_paid("o-1", v) for v in range(2, 6)]
        await _publish_until_acknowledged(publisher, later)
        got = await _take(sub, 4, 30)
        assert [e.id for e in got] == [e.id for e in later]
        assert not sub.closed
    finally:
        sub.close()
        await feed.stop()
        await publisher.stop()
        await feed_transport.stop()

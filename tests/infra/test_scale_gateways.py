"""Two `pos gateway` processes over the same subgraph and the same Kafka: both answer,
and an event reaches the subscribers of both (each gateway's feed reads every event; it
is not a share of partitions like a projector's group)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from uuid import uuid4

import pytest

from eventbus.envelope import Envelope
from eventbus.transports.kafka import KafkaTransport
from supergraph.composition import Subgraph, compose
from tests.eventbus.fixtures_bus import kafka_bootstrap
from tests.infra.test_gateway_kafka_outage import (
    ORDER,
    ORDERING_SDL,
    StartGateway,
    _query,
    _sse_results,
    gateway_process,
)
from tests.supergraph.fixtures.federated_subgraph import FederatedSubgraph, Server

__all__ = ["gateway_process"]  # fixture used by name

pytestmark = pytest.mark.services


async def test_two_gateways_both_answer_and_both_deliver_a_subscription_event(
    gateway_process: StartGateway, tmp_path: Path
) -> None:
    topic = f"pos.scalegw{uuid4().hex[:10]}"  # private: no other consumer sees the event
    sdl = ORDERING_SDL.read_text().replace('topic: "pos.ordering"', f'topic: "{topic}"')
    assert topic in sdl
    ordering = FederatedSubgraph(
        "ordering",
        sdl,
        records={
            "Query": [{"order": {**ORDER, "status": "PAID", "version": 9}}],
            "Order": [{**ORDER, "status": "PAID", "version": 9}],
        },
    )
    server = Server(ordering.app)
    await server.start()
    publisher = KafkaTransport(kafka_bootstrap(), client_id="scale-gateways")
    try:
        await publisher.ensure_topics([topic])
        composed = compose([Subgraph("ordering", server.url, sdl)])
        assert composed.ok and composed.supergraph_sdl, composed.errors
        supergraph = tmp_path / "supergraph.graphql"
        supergraph.write_text(composed.supergraph_sdl)
        bases = await asyncio.gather(
            gateway_process(supergraph, kafka_bootstrap()),
            gateway_process(supergraph, kafka_bootstrap()),
        )
        assert bases[0] != bases[1]
        for base in bases:
            result = await _query(base, '{ order(id: "o-1") { number status } }')
            assert result == {"data": {"order": {"number": "N1", "status": "PAID"}}}, base

        subscription = 'subscription { orderStatusChanged(orderId: "o-1") { status } }'
        event = Envelope(
            type="pos.ordering.OrderPaid.v1",
            source="ordering",
            subject="o-1",
            data={},
            stream_version=3,
        )

        async def publish_soon() -> None:
            await asyncio.sleep(2.0)  # after both subscriptions have started
            await publisher.publish(topic, [event])

        publishing = asyncio.create_task(publish_soon())
        results = await asyncio.gather(*(_sse_results(b, subscription, 1, 30) for b in bases))
        await publishing
        assert results == [[{"data": {"orderStatusChanged": {"status": "PAID"}}}]] * 2
    finally:
        await publisher.stop()
        await server.stop()

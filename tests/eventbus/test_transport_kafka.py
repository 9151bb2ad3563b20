"""The Kafka transport against the transport contract, on the real broker at
POS_KAFKA_BOOTSTRAP; plus what only Kafka has (topic creation, producer settings)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError

from eventbus.transports.kafka import KafkaTransport
from tests.eventbus.contracts.transport_contract import TransportContract, envelopes, unique
from tests.eventbus.fixtures_bus import kafka_bootstrap

pytestmark = pytest.mark.services


class TestKafkaTransport(TransportContract):
    @pytest.fixture
    async def transport(self) -> AsyncIterator[KafkaTransport]:
        transport = KafkaTransport(kafka_bootstrap(), client_id="pos-test")
        await transport.start()
        yield transport
        await transport.stop()


async def test_topics_are_created_with_the_configured_partition_count() -> None:
    transport = KafkaTransport(kafka_bootstrap(), partitions=5)
    topic = unique("kafka.partitions")
    try:
        await transport.publish(topic, envelopes("k", 1))
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap())
        await admin.start()
        try:
            (described,) = await admin.describe_topics([topic])
        finally:
            await admin.close()
    finally:
        await transport.stop()
    assert len(described["partitions"]) == 5


async def test_the_producer_is_idempotent_with_acks_all() -> None:
    transport = KafkaTransport(kafka_bootstrap())
    await transport.start()
    try:
        producer = transport._producer
        assert producer is not None
        assert producer._txn_manager is not None, "idempotence needs a transaction manager"
        assert producer._sender._acks == -1
    finally:
        await transport.stop()


async def test_a_publish_to_an_unreachable_broker_fails_instead_of_hanging() -> None:
    down = KafkaTransport("127.0.0.1:1", request_timeout_ms=1000, delivery_timeout_ms=2000)
    with pytest.raises(KafkaConnectionError):
        await asyncio.wait_for(down.publish(unique("kafka.down"), envelopes("k", 1)), 20)
    assert down._producer is None, "the next publish starts a fresh producer"
    await down.stop()

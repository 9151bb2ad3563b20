"""Topics with configurable partitions and replication, and per-aggregate order across
partitions, on the real broker at POS_KAFKA_BOOTSTRAP."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from eventbus import Envelope
from eventbus.transports.kafka import KafkaTransport
from tests.eventbus.fixtures_bus import kafka_bootstrap, unique

pytestmark = pytest.mark.services


async def _partitions(topic: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap())
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return len(described["partitions"])


def _events(subject: str, versions: range) -> list[Envelope]:
    return [
        Envelope(
            type="pos.test.Happened.v1", source="test", subject=subject, data={}, stream_version=v
        )
        for v in versions
    ]


async def test_partitions_and_replication_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POS_KAFKA_PARTITIONS", "4")
    monkeypatch.setenv("POS_KAFKA_REPLICATION_FACTOR", "1")
    transport = KafkaTransport(kafka_bootstrap())
    assert (transport.partitions, transport.replication_factor) == (4, 1)
    topic = unique("scale.topics")
    try:
        await transport.ensure_topics([topic])
    finally:
        await transport.stop()
    assert await _partitions(topic) == 4


@pytest.mark.parametrize("value", ["0", "three", "-2"])
def test_a_bad_topic_setting_is_refused_with_its_name(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("POS_KAFKA_PARTITIONS", value)
    with pytest.raises(ValueError, match="POS_KAFKA_PARTITIONS"):
        KafkaTransport(kafka_bootstrap())


async def test_more_replicas_than_brokers_is_an_error_not_a_smaller_topic() -> None:
    transport = KafkaTransport(kafka_bootstrap(), replication_factor=3, request_timeout_ms=5000)
    topic = unique("scale.rf")
    try:
        with pytest.raises(KafkaError, match=topic):
            await asyncio.wait_for(transport.ensure_topics([topic]), 20)
    finally:
        await transport.stop()


async def test_each_aggregate_stays_in_one_partition_in_stream_order() -> None:
    transport = KafkaTransport(kafka_bootstrap(), partitions=6, client_id="scale-order")
    topic = unique("scale.order")
    subjects = [f"agg-{i}" for i in range(24)]
    try:
        # interleaved: version 1 of every aggregate, then version 2, ...
        for version in range(1, 6):
            await transport.publish(
                topic, [e for s in subjects for e in _events(s, range(version, version + 1))]
            )
        consumer = transport.consumer(unique("scale.order.group"), [topic])
        await consumer.start()
        seen: dict[str, list[tuple[int, int]]] = defaultdict(list)
        try:
            async with asyncio.timeout(30):
                while sum(len(v) for v in seen.values()) < len(subjects) * 5:
                    for message in await consumer.poll(1.0):
                        assert message.envelope is not None
                        seen[message.envelope.subject].append(
                            (message.partition, message.envelope.stream_version)
                        )
        finally:
            await consumer.stop()
    finally:
        await transport.stop()
    used = {partition for rows in seen.values() for partition, _ in rows}
    assert len(used) > 1, "24 keys over 6 partitions should use several"
    for subject in subjects:
        partitions = {p for p, _ in seen[subject]}
        assert len(partitions) == 1, f"{subject} spread over {partitions}"
        assert [v for _, v in seen[subject]] == [1, 2, 3, 4, 5]

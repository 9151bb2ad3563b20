"""One contract for every `Transport`: subclass `TransportContract` and give it a
`transport` fixture. Each test uses fresh topic and group names, so a shared broker's
other traffic never interferes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from eventbus import Consumer, Envelope, Message, Transport

DRAIN_TIMEOUT = 20.0


def unique(prefix: str) -> str:
    return f"{prefix}.{uuid4().hex[:12]}"


def envelopes(subject: str, count: int, start: int = 1) -> list[Envelope]:
    return [
        Envelope(
            type="pos.test.Counted.v1",
            source="test",
            subject=subject,
            data={"n": version},
            stream_version=version,
        )
        for version in range(start, start + count)
    ]


async def drain(consumer: Consumer, count: int, timeout: float = DRAIN_TIMEOUT) -> list[Message]:
    """Poll until `count` messages arrived (fails on timeout), then a little more to catch
    any extra delivery."""
    got: list[Message] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(got) < count:
        remaining = deadline - loop.time()
        assert remaining > 0, f"only {len(got)} of {count} messages arrived in {timeout}s"
        got.extend(await consumer.poll(timeout=min(remaining, 1.0)))
    got.extend(await consumer.poll(timeout=0.3))
    return got


def per_key(messages: list[Message]) -> dict[str | None, list[int]]:
    """Stream versions in delivery order, per key."""
    seen: dict[str | None, list[int]] = {}
    for m in messages:
        assert m.envelope is not None, m.error
        seen.setdefault(m.key, []).append(m.envelope.stream_version)
    return seen


class TransportContract:
    """The behaviour projections and the relay rely on, for any transport."""

    join_wait = 2.0
    """Seconds for a new consumer to join its group and hold its partitions."""

    @pytest.fixture
    async def transport(self) -> AsyncIterator[Transport]:
        raise NotImplementedError
        yield  # pragma: no cover

    async def started(self, transport: Transport, group: str, topics: list[str]) -> Consumer:
        consumer = transport.consumer(group, topics)
        await consumer.start()
        return consumer

    async def test_records_arrive_in_order_per_key(self, transport: Transport) -> None:
        topic = unique("contract.order")
        keys = [str(uuid4()) for _ in range(5)]
        for round_ in range(4):
            for key in keys:
                await transport.publish(topic, envelopes(key, 3, start=round_ * 3 + 1))
        consumer = await self.started(transport, unique("g"), [topic])
        try:
            got = await drain(consumer, 60)
        finally:
            await consumer.stop()
        assert len(got) == 60
        assert per_key(got) == {key: list(range(1, 13)) for key in keys}
        first = got[0]
        assert first.envelope is not None and first.topic == topic
        assert ("ce_type", b"pos.test.Counted.v1") in first.headers

    async def test_the_envelope_survives_the_trip(self, transport: Transport) -> None:
        topic = unique("contract.roundtrip")
        sent = Envelope(
            type="pos.test.Counted.v1",
            source="test",
            subject=str(uuid4()),
            data={"amount": "12.50", "lines": [{"sku": "A-1", "qty": 2}]},
            stream_version=7,
            position=42,
            correlation_id="corr-1",
            causation_id="cause-1",
        )
        await transport.publish(topic, [sent])
        consumer = await self.started(transport, unique("g"), [topic])
        try:
            (got,) = await drain(consumer, 1)
        finally:
            await consumer.stop()
        assert got.envelope == sent
        assert got.key == sent.subject
        assert got.raw == sent.to_json()

    async def test_uncommitted_records_are_redelivered_committed_are_not(
        self, transport: Transport
    ) -> None:
        topic, group, key = unique("contract.restart"), unique("g"), str(uuid4())
        await transport.publish(topic, envelopes(key, 10))
        first = await self.started(transport, group, [topic])
        got = await drain(first, 10)
        await first.commit(got[:4])
        await first.stop()  # crashed after processing 10, having committed 4

        second = await self.started(transport, group, [topic])
        again = await drain(second, 6)
        assert per_key(again) == {key: [5, 6, 7, 8, 9, 10]}
        await second.commit(again)
        await second.stop()

        await transport.publish(topic, envelopes(key, 1, start=11))
        third = await self.started(transport, group, [topic])
        try:
            after = await drain(third, 1)
        finally:
            await third.stop()
        assert per_key(after) == {key: [11]}

    async def test_every_group_sees_every_record(self, transport: Transport) -> None:
        topic = unique("contract.groups")
        keys = [str(uuid4()) for _ in range(3)]
        for key in keys:
            await transport.publish(topic, envelopes(key, 4))
        one = await self.started(transport, unique("g1"), [topic])
        two = await self.started(transport, unique("g2"), [topic])
        try:
            got_one, got_two = await asyncio.gather(drain(one, 12), drain(two, 12))
            await one.commit(got_one)
        finally:
            await one.stop()
            await two.stop()
        expected = {key: [1, 2, 3, 4] for key in keys}
        assert per_key(got_one) == expected
        assert per_key(got_two) == expected

    async def test_lag_is_published_minus_committed(self, transport: Transport) -> None:
        topic = unique("contract.lag")
        keys = [str(uuid4()) for _ in range(2)]
        for key in keys:
            await transport.publish(topic, envelopes(key, 5))
        consumer = await self.started(transport, unique("g"), [topic])
        try:
            assert await consumer.lag() == 10
            got = await drain(consumer, 10)
            assert await consumer.lag() == 10, "polling alone must not move the group"
            first_key = [m for m in got if m.key == keys[0]]
            await consumer.commit(first_key[:3])
            assert await consumer.lag() == 7
            await consumer.commit(got)
            assert await consumer.lag() == 0
            await transport.publish(topic, envelopes(keys[1], 2, start=6))
            assert await consumer.lag() == 2
        finally:
            await consumer.stop()

    async def test_a_body_that_is_not_an_envelope_is_a_message_with_an_error(
        self, transport: Transport
    ) -> None:
        topic = unique("contract.poison")
        key = str(uuid4())
        await transport.publish_raw(topic, key, b"{not json", [("why", b"test")])
        await transport.publish_raw(topic, key, b'{"id": "x"}')
        await transport.publish(topic, envelopes(key, 1))
        consumer = await self.started(transport, unique("g"), [topic])
        try:
            bad_json, missing_fields, good = await drain(consumer, 3)
        finally:
            await consumer.stop()
        assert bad_json.envelope is None and bad_json.error
        assert bad_json.raw == b"{not json"
        assert ("why", b"test") in bad_json.headers
        assert missing_fields.envelope is None and missing_fields.error
        assert good.envelope is not None and good.error is None

    async def test_a_group_reading_from_the_end_skips_the_past(self, transport: Transport) -> None:
        topic, key = unique("contract.latest"), str(uuid4())
        await transport.publish(topic, envelopes(key, 3))
        consumer = transport.consumer(unique("g"), [topic], from_beginning=False)
        await consumer.start()
        try:
            # Wait until the consumer holds its partitions, so "the end" is fixed.
            assert await consumer.poll(timeout=self.join_wait) == []
            await transport.publish(topic, envelopes(key, 2, start=4))
            got = await drain(consumer, 2)
        finally:
            await consumer.stop()
        assert per_key(got) == {key: [4, 5]}

    async def test_after_wait_assigned_a_group_reading_from_the_end_misses_nothing(
        self, transport: Transport
    ) -> None:
        topic = unique("contract.assigned")
        keys = [str(uuid4()) for _ in range(4)]
        await transport.publish(topic, envelopes(keys[0], 2))
        consumer = transport.consumer(unique("g"), [topic], from_beginning=False)
        await consumer.start()
        try:
            await consumer.wait_assigned(timeout=DRAIN_TIMEOUT)
            for key in keys:  # published right away, before any poll
                await transport.publish(topic, envelopes(key, 2, start=3))
            got = await drain(consumer, 8)
        finally:
            await consumer.stop()
        assert per_key(got) == {key: [3, 4] for key in keys}

"""The projection runner over each transport, writing a real Beanie read model.

What a user would notice: an event delivered twice counts once, one bad event does not
stop the projection (it lands in the dead-letter topic, saying why), and offsets are
committed only after the write.
"""

from __future__ import annotations

from uuid import uuid4

import pytest
from pymongo import AsyncMongoClient

from eventbus import Envelope, Message, Transport, dead_letter_topic, topic_for
from eventbus.projection import ProjectionRunner, wait_applied
from eventbus.transports import InProcessTransport
from tests.eventbus.contracts.transport_contract import drain
from tests.eventbus.fixtures_bus import (
    TallyProjection,
    bus,
    counted,
    eventually,
    read_store,
    unique,
)

__all__ = ["bus", "read_store"]  # fixtures used by name

pytestmark = pytest.mark.services


def dead_letters_headers(message: Message) -> dict[str, str]:
    return {k: v.decode() for k, v in message.headers if k.startswith("dlq_")}


async def test_a_duplicate_delivery_has_its_effect_once(
    bus: Transport, read_store: AsyncMongoClient
) -> None:
    source = unique("ctx").replace(".", "")
    topic = topic_for(source)
    stream = str(uuid4())
    events = counted(stream, 3, source=source)
    projection = TallyProjection([topic])
    runner = ProjectionRunner(bus, projection)
    await runner.start()
    try:
        await bus.publish(topic, events[:2])
        await bus.publish(topic, events[:2])  # e.g. a relay that crashed before marking
        await bus.publish(topic, events[2:])
        assert await wait_applied(projection, events, timeout=20)
        await eventually(lambda: caught_up(runner), what="lag 0")
    finally:
        await runner.stop()
    assert await projection.tallies([stream]) == {stream: [1, 2, 3]}
    assert runner.metrics.applied == 3
    assert runner.metrics.skipped == 2
    assert runner.metrics.dead_lettered == 0


async def test_a_poison_event_is_dead_lettered_and_later_events_still_project(
    bus: Transport, read_store: AsyncMongoClient
) -> None:
    source = unique("ctx").replace(".", "")
    topic = topic_for(source)
    sick, healthy = str(uuid4()), str(uuid4())
    sick_events = counted(sick, 3, source=source)
    healthy_events = counted(healthy, 2, source=source)
    poison = sick_events[1]
    projection = TallyProjection([topic], poison=[poison.id])
    runner = ProjectionRunner(bus, projection, max_attempts=3, base_backoff=0.01)
    await runner.start()
    try:
        await bus.publish(topic, sick_events)
        await bus.publish_raw(topic, healthy, b"\x00 not an envelope")
        await bus.publish(topic, healthy_events)
        assert await wait_applied(projection, [sick_events[2], *healthy_events], timeout=20)
        await eventually(lambda: caught_up(runner), what="lag 0")
    finally:
        await runner.stop()

    assert await projection.tallies([sick, healthy]) == {sick: [1, 3], healthy: [1, 2]}
    assert projection.calls[poison.id] == 3
    assert runner.metrics.dead_lettered == 2
    assert runner.metrics.retried == 2

    dlq = bus.consumer(unique("dlq-reader"), [dead_letter_topic(topic)])
    await dlq.start()
    try:
        letters = await drain(dlq, 2)
    finally:
        await dlq.stop()
    assert len(letters) == 2
    by_body = {m.raw: m for m in letters}
    poisoned = by_body[poison.to_json()]
    assert poisoned.envelope == poison
    why = dead_letters_headers(poisoned)
    assert why["dlq_error"] == f"ValueError: cannot project pos.{source}.Counted.v1 #2"
    assert why["dlq_attempts"] == "3"
    assert why["dlq_topic"] == topic
    assert why["dlq_projection"] == projection.name
    assert int(why["dlq_offset"]) >= 0
    garbage = by_body[b"\x00 not an envelope"]
    assert garbage.envelope is None
    assert garbage.key == healthy
    assert dead_letters_headers(garbage)["dlq_error"].startswith("undecodable envelope")


async def test_offsets_are_committed_after_the_write_so_a_restart_resumes_there(
    bus: Transport, read_store: AsyncMongoClient
) -> None:
    source = unique("ctx").replace(".", "")
    topic = topic_for(source)
    stream = str(uuid4())
    events = counted(stream, 6, source=source)
    projection = TallyProjection([topic])
    first = ProjectionRunner(bus, projection)
    await first.start()
    await bus.publish(topic, events[:4])
    assert await wait_applied(projection, events[:4], timeout=20)
    await eventually(lambda: caught_up(first), what="lag 0")
    await first.stop()

    await bus.publish(topic, events[4:])
    second = ProjectionRunner(bus, projection)
    await second.start()
    try:
        assert await wait_applied(projection, events, timeout=20)
        await eventually(lambda: caught_up(second), what="lag 0")
    finally:
        await second.stop()
    assert second.metrics.applied == 2
    assert second.metrics.skipped == 0, "committed messages must not come back"
    assert await projection.tallies([stream]) == {stream: [1, 2, 3, 4, 5, 6]}


async def test_wait_applied_gives_up_at_its_bound(read_store: AsyncMongoClient) -> None:
    projection = TallyProjection(["pos.nowhere"])
    never = counted(str(uuid4()), 1)
    assert await wait_applied(projection, never, timeout=0.2) is False
    assert await wait_applied(projection, [], timeout=0.2) is True


async def caught_up(runner: ProjectionRunner) -> bool:
    return await runner.lag() == 0


class _StoreDown(TallyProjection):
    async def has_applied(self, envelope: Envelope) -> bool:
        raise ConnectionError("read store unreachable")


async def test_wait_applied_answers_at_its_bound_when_the_read_store_is_down() -> None:
    projection = _StoreDown(["pos.nowhere"])
    assert await wait_applied(projection, counted(str(uuid4()), 1), timeout=0.2) is False


class _FlakyReadStore(TallyProjection):
    """`has_applied` fails `failures` times first, like a read store that is restarting."""

    def __init__(self, topics: list[str], failures: int) -> None:
        super().__init__(topics)
        self.failures = failures

    async def has_applied(self, envelope: Envelope) -> bool:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("read store unreachable")
        return await super().has_applied(envelope)


async def test_a_read_store_outage_delays_the_projection_but_dead_letters_nothing(
    read_store: AsyncMongoClient,
) -> None:
    transport = InProcessTransport()
    topic = unique("pos.flaky")
    stream = str(uuid4())
    projection = _FlakyReadStore([topic], failures=6)
    runner = ProjectionRunner(transport, projection, max_attempts=2, base_backoff=0.01)
    await runner.start()
    try:
        await transport.publish(topic, counted(stream, 3))
        await eventually(lambda: _applied(runner, 3), timeout=20, what="3 events applied")
    finally:
        await runner.stop()
    assert runner.metrics.dead_lettered == 0
    assert await projection.tallies([stream]) == {stream: [1, 2, 3]}


async def _applied(runner: ProjectionRunner, count: int) -> bool:
    return runner.metrics.applied == count

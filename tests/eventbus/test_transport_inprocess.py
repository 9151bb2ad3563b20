"""The in-process transport against the transport contract, plus its group rebalancing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from eventbus.transports import InProcessTransport
from tests.eventbus.contracts.transport_contract import (
    TransportContract,
    drain,
    envelopes,
    per_key,
)


class TestInProcessTransport(TransportContract):
    join_wait = 0.05

    @pytest.fixture
    async def transport(self) -> AsyncIterator[InProcessTransport]:
        transport = InProcessTransport()
        await transport.start()
        yield transport
        await transport.stop()


async def test_two_members_of_a_group_split_the_partitions_and_take_over_on_leave() -> None:
    transport = InProcessTransport(partitions=4)
    keys = [str(uuid4()) for _ in range(8)]
    for key in keys:
        await transport.publish("split", envelopes(key, 2))
    one = transport.consumer("g", ["split"])
    two = transport.consumer("g", ["split"])
    await one.start()
    await two.start()
    got_one = await one.poll(timeout=0.1)
    got_two = await two.poll(timeout=0.1)
    assert {m.partition for m in got_one}.isdisjoint({m.partition for m in got_two})
    assert len(got_one) + len(got_two) == 16
    await one.commit(got_one)
    await two.stop()  # leaves without committing: its partitions move to `one`
    taken_over = await drain(one, len(got_two))
    assert sorted(per_key(taken_over).items()) == sorted(per_key(got_two).items())
    await one.stop()


async def test_a_stopped_consumer_cannot_commit() -> None:
    transport = InProcessTransport()
    await transport.publish("t", envelopes(str(uuid4()), 1))
    consumer = transport.consumer("g", ["t"])
    await consumer.start()
    got = await consumer.poll(timeout=0.1)
    await consumer.stop()
    with pytest.raises(RuntimeError, match="delivered again"):
        await consumer.commit(got)

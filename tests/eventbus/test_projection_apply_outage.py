"""A read store that goes away in the middle of an apply (issue 11, MongoDB outage).

The runner's `has_applied` probe can succeed and the write right after it fail: the
server was killed between the two, or it is flapping while it restarts. That failure is
the connection's, not the message's, so it must not spend the message's attempts: with
`max_attempts=2`, six lost connections in a row would otherwise dead-letter a good event,
and the read model would miss it for good.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import uuid4

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import AutoReconnect

from eventbus import Envelope
from eventbus.projection import ProjectionRunner
from eventbus.transports import InProcessTransport
from tests.eventbus.fixtures_bus import TallyProjection, counted, eventually, read_store, unique

__all__ = ["read_store"]  # fixture used by name

pytestmark = pytest.mark.services


class _WritesCut(TallyProjection):
    """`apply` loses its connection `failures` times first; reads work throughout."""

    def __init__(self, topics: Sequence[str], failures: int) -> None:
        super().__init__(topics)
        self.failures = failures

    async def apply(self, envelope: Envelope) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise AutoReconnect("connection closed")
        await super().apply(envelope)


async def test_a_connection_lost_mid_apply_is_retried_not_dead_lettered(
    read_store: AsyncMongoClient,
) -> None:
    transport = InProcessTransport()
    topic = unique("pos.cut")
    stream = str(uuid4())
    projection = _WritesCut([topic], failures=6)
    runner = ProjectionRunner(transport, projection, max_attempts=2, base_backoff=0.01)
    await runner.start()
    try:
        await transport.publish(topic, counted(stream, 2))
        await eventually(lambda: _applied(runner, 2), timeout=20, what="2 events applied")
    finally:
        await runner.stop()
    assert runner.metrics.dead_lettered == 0
    assert await projection.tallies([stream]) == {stream: [1, 2]}


async def test_a_message_that_fails_on_its_own_is_still_dead_lettered(
    read_store: AsyncMongoClient,
) -> None:
    """The exemption is for lost connections only: a poison event still goes aside."""
    transport = InProcessTransport()
    topic = unique("pos.cut")
    stream = str(uuid4())
    [poison, good] = counted(stream, 2)
    projection = TallyProjection([topic], poison=[poison.id])
    runner = ProjectionRunner(transport, projection, max_attempts=2, base_backoff=0.01)
    await runner.start()
    try:
        await transport.publish(topic, [poison, good])
        await eventually(lambda: _applied(runner, 1), timeout=20, what="the good event applied")
    finally:
        await runner.stop()
    assert runner.metrics.dead_lettered == 1


async def _applied(runner: ProjectionRunner, count: int) -> bool:
    return runner.metrics.applied == count

"""`execute`: lost races are retried, and the payload waits (boundedly) for the read side."""

from __future__ import annotations

import pytest

from eventbus import ConcurrencyError, Conflict, Envelope, topic_for
from eventbus.projection import Projection
from subgraphs.hosting.commands import Handled, execute


class Flaky:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    async def __call__(self, command: str) -> Handled[str]:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConcurrencyError("stream-1", self.calls)
        envelope = Envelope(
            type="pos.test.Done.v1", source="test", subject="s", data={}, stream_version=1
        )
        return Handled(f"done {command}", [envelope])


class Lagging(Projection):
    name = "test.lagging"
    topics = (topic_for("test"),)

    def __init__(self, applied: bool) -> None:
        self.applied = applied

    async def apply(self, envelope: Envelope) -> None: ...

    async def has_applied(self, envelope: Envelope) -> bool:
        return self.applied

    async def reset(self) -> None: ...


async def test_a_lost_race_runs_the_handler_again() -> None:
    handler = Flaky(failures=2)
    commits: list[bool] = []
    executed = await execute(
        handler, "x", projection=Lagging(True), on_commit=lambda: commits.append(True)
    )
    assert executed.value == "done x"
    assert executed.caught_up is True
    assert handler.calls == 3
    assert commits == [True]


async def test_a_race_lost_too_often_is_a_conflict() -> None:
    handler = Flaky(failures=10)
    with pytest.raises(Conflict, match="reload it and retry"):
        await execute(handler, "x", retries=2)
    assert handler.calls == 3


async def test_a_slow_projection_bounds_the_wait_and_says_so() -> None:
    executed = await execute(Flaky(0), "x", projection=Lagging(False), timeout=0.05)
    assert executed.caught_up is False
    assert executed.value == "done x"

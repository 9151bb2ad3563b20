"""Run a command the way every mutation does: retry lost races, then read your writes.

A handler loads, decides and saves inside one unit of work; if another writer got to a
stream first (`ConcurrencyError`) the whole handler runs again on fresh state. After the
commit, the caller waits (bounded) until its own projection has applied the new events,
so the mutation's payload, and any query right after it, shows the change. Past the bound
`caught_up` is False and the caller answers from the write model.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from eventbus import ConcurrencyError, Conflict, Envelope
from eventbus.projection import Projection, wait_applied

C = TypeVar("C")
R = TypeVar("R")
V = TypeVar("V")
P = TypeVar("P")

READ_YOUR_WRITES_TIMEOUT = 2.0


@dataclass(frozen=True)
class Handled(Generic[R]):
    """What a handler returns: its result (usually the saved aggregate) and the events."""

    value: R
    envelopes: list[Envelope] = field(default_factory=list)


@dataclass(frozen=True)
class Executed(Generic[R]):
    value: R
    envelopes: list[Envelope]
    caught_up: bool
    """True when the projection shows the events; else answer from `value`."""


async def execute(
    handler: Callable[[C], Awaitable[Handled[R]]],
    command: C,
    *,
    retries: int = 3,
    projection: Projection | None = None,
    timeout: float = READ_YOUR_WRITES_TIMEOUT,
    on_commit: Callable[[], None] | None = None,
) -> Executed[R]:
    """Run `handler(command)`, retrying `retries` times on a lost race.

    `on_commit` runs after a successful commit (e.g. waking the outbox relay). Raises
    `Conflict` when the race is still lost after the retries, and whatever the handler
    raises otherwise (domain errors: nothing was written).
    """
    attempt = 0
    while True:
        try:
            handled = await handler(command)
            break
        except ConcurrencyError as exc:
            attempt += 1
            if attempt > retries:
                raise Conflict(
                    "This record is being changed by others right now and the change kept "
                    "colliding with theirs; reload it and retry.",
                    stream=exc.stream_id,
                ) from exc
            await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))
    if handled.envelopes and on_commit is not None:
        on_commit()
    caught_up = True
    if projection is not None and handled.envelopes:
        topics = set(projection.topics)
        mine = [e for e in handled.envelopes if e.topic in topics]
        caught_up = await wait_applied(projection, mine, timeout)
    return Executed(value=handled.value, envelopes=handled.envelopes, caught_up=caught_up)


async def read_your_writes(
    executed: Executed[R],
    view_of: Callable[[R], Awaitable[V | None]],
    from_view: Callable[[V], P],
    from_value: Callable[[R], P],
) -> P:
    """A mutation's payload: the projection's view once caught up, else the write model."""
    if executed.caught_up:
        view = await view_of(executed.value)
        if view is not None:
            return from_view(view)
    return from_value(executed.value)

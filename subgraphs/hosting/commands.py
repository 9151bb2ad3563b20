"""Run a command the way every mutation does: retry lost races, then read your writes.

A handler loads, decides and saves inside one unit of work; if another writer got to a
stream first (`ConcurrencyError`) the whole handler runs again on fresh state. After the
commit, the caller waits (bounded) until its own projection has applied the new events,
so the mutation's payload, and any query right after it, shows the change. Past the bound
`caught_up` is False and the caller answers from the write model.

A committed command never answers as a failure. If the COMMIT itself got no answer (the
database went away mid-commit), or the payload cannot be read back after it (the read
store or the event store is down), the mutation answers OUTCOME_UNKNOWN naming the ids it
wrote (`extensions.ids`; `extensions.saved` true when the commit is known to have
succeeded), so the client looks the change up instead of assuming it failed and doing it
twice. `read_your_writes` falls back to the write model when the view cannot be read.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from eventbus import ConcurrencyError, Conflict, DomainError, Envelope
from eventbus.progress import wait_projected
from eventbus.projection import Projection
from eventbus.sqlstore import CommitOutcomeUnknown
from subgraphs.hosting.consistency import current_progress, note_written
from subgraphs.hosting.tracing import command_span

log = logging.getLogger(__name__)

C = TypeVar("C")
R = TypeVar("R")
V = TypeVar("V")
P = TypeVar("P")

READ_YOUR_WRITES_TIMEOUT = 2.0


class OutcomeUnknown(DomainError):
    """A command that may have been (`saved` None) or was (`saved` True) written, whose
    result cannot be told: the client must look it up by `ids` before doing it again."""

    code = "OUTCOME_UNKNOWN"

    def __init__(self, ids: list[str], *, saved: bool | None) -> None:
        shown = ", ".join(ids) or "unknown"
        if saved:
            message = (
                f"The change was saved (id {shown}), but its result could not be read back "
                "because a database is unavailable. Do not repeat it: look it up by id once "
                "the service recovers."
            )
        else:
            message = (
                f"The change may have been saved (id {shown}): the database connection was "
                "lost while it was being committed. Look it up by id before trying again; "
                "repeating it blindly could apply it twice."
            )
        super().__init__(message, ids=ids, saved=saved)


def _ids(envelopes: list[Envelope]) -> list[str]:
    return list(dict.fromkeys(e.subject for e in envelopes))


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
    `Conflict` when the race is still lost after the retries, `OutcomeUnknown` when the
    commit got no answer, and whatever the handler raises otherwise (domain errors:
    nothing was written).
    """
    attempt = 0
    while True:
        try:
            with command_span(command):  # subgraphs.hosting.tracing
                handled = await handler(command)
            break
        except CommitOutcomeUnknown as exc:
            log.error("command %s: %s", type(command).__name__, exc)
            raise OutcomeUnknown(exc.streams, saved=None) from exc
        except ConcurrencyError as exc:
            attempt += 1
            if attempt > retries:
                raise Conflict(
                    "This record is being changed by others right now and the change kept "
                    "colliding with theirs; reload it and retry.",
                    stream=exc.stream_id,
                ) from exc
            await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))
    note_written(handled.envelopes)  # the response's consistency token
    if handled.envelopes and on_commit is not None:
        try:
            on_commit()
        except Exception:  # committed: a relay that is not woken drains on its next tick
            log.exception("on_commit failed after %s", type(command).__name__)
    caught_up = True
    if projection is not None and handled.envelopes:
        topics = set(projection.topics)
        mine = [e for e in handled.envelopes if e.topic in topics]
        # the same wait as a query carrying a consistency token (eventbus.progress)
        caught_up = await wait_projected([projection], mine, timeout, progress=current_progress())
    return Executed(value=handled.value, envelopes=handled.envelopes, caught_up=caught_up)


async def read_your_writes(
    executed: Executed[R],
    view_of: Callable[[R], Awaitable[V | None]],
    from_view: Callable[[V], P],
    from_value: Callable[[R], P],
) -> P:
    """A mutation's payload: the projection's view once caught up, else the write model
    (also when the view cannot be read: the command is committed either way)."""
    if executed.caught_up:
        try:
            view = await view_of(executed.value)
        except Exception as exc:
            log.warning("read-your-writes view unreadable, answering from the write model: %r", exc)
            view = None
        if view is not None:
            return from_view(view)
    return await committed_payload(executed, lambda: _now(from_value(executed.value)))


async def committed_payload(executed: Executed[R], read: Callable[[], Awaitable[P]]) -> P:
    """`read()` the payload of a committed command; if that fails (a store is down), answer
    OUTCOME_UNKNOWN with `saved` true instead of an internal error the client would take
    for "not done". Domain errors pass through."""
    try:
        return await read()
    except DomainError:
        raise
    except Exception as exc:
        ids = _ids(executed.envelopes)
        log.error("committed %s but could not read its result: %r", ids, exc)
        raise OutcomeUnknown(ids, saved=True) from exc


async def _now(value: P) -> P:
    return value

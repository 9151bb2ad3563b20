"""`@defer` delivery: after the primary payload, each deferred fragment's entries as soon as
its own fetches (and those of the fragments it waits for) are done.

The gateway runs the primary fetches and hands over a `DeferredRun`; this module fetches
the deferred nodes, shapes the data each fragment may see and cuts its entries
(`defer.increments`). Kept apart from the gateway pipeline because nothing here decides
what runs, only when and how the rest is delivered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..planning.fields import PlannedOperation
from ..planning.plan import DeferredFragment
from . import defer
from .errors import error
from .executor import Executor, RunState
from .shaping import Shaper

log = logging.getLogger(__name__)

TIMEOUT = "GATEWAY_TIMEOUT"

# a fragment's shaped data -> that data with the fields the policies removed answered
# null, and their errors (the plugins' `complete_data`: authorization)
Completion = Callable[[Any], tuple[Any, list[dict[str, Any]]]]


def timeout_error(deadline: float | None) -> dict[str, Any]:
    """The error of a request that ran past the gateway's deadline."""
    message = f"The request did not complete within the gateway's deadline of {deadline:g} s."
    return error(message, TIMEOUT)


@dataclass
class DeferredRun:
    """What a deferring query's deferred fragments need once its primary fetches ran."""

    planned: PlannedOperation
    state: RunState
    variables: Mapping[str, Any]  # coerced
    requested: Mapping[str, Any]  # as sent: which `@defer(if:)`s are active
    complete: Completion | None  # None: no policy removes fields
    reported: list[dict[str, Any]]
    deadline_at: float | None = None  # loop time the request's deadline ends at
    denied_pending: list[dict[str, Any]] = field(default_factory=list)  # not yet reported


class DeferredDelivery:
    """Delivers the deferred fragments of one gateway's requests."""

    def __init__(
        self,
        executor: Executor,
        object_types: frozenset[str],
        deadline: float | None,
    ) -> None:
        self.executor = executor
        self.object_types = object_types
        self.deadline = deadline

    async def payloads(self, run: DeferredRun) -> AsyncIterator[dict[str, Any]]:
        """Each deferred fragment's entries once its fetches (and those of the fragments it
        waits for) are done; fragments ready at the same moment share one payload."""
        fragments = {d.id: d for d in run.planned.deferred}
        done = {i: asyncio.Event() for i in fragments}
        ready: asyncio.Queue[int] = asyncio.Queue()
        errors: dict[int, list[dict[str, Any]]] = {}

        async def fetch(d: DeferredFragment) -> None:
            for w in d.waits:
                if w in done:
                    await done[w].wait()
            own = RunState(
                run.state.variables,
                run.state.headers,
                run.state.source_to_key,
                run.state.data,
                context=run.state.context,
            )
            try:
                await self.executor.run_node(d.node, own)
            except Exception:
                log.exception("gateway failure while fetching a deferred fragment")
                own.errors.append(
                    {
                        "message": "Internal gateway error.",
                        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                    }
                )
            errors[d.id] = own.errors
            ready.put_nowait(d.id)
            done[d.id].set()

        tasks = [asyncio.create_task(fetch(d)) for d in fragments.values()]
        try:
            remaining = len(tasks)
            while remaining:
                try:
                    async with asyncio.timeout_at(run.deadline_at):
                        first = await ready.get()
                except TimeoutError:
                    yield {"hasNext": False, "errors": [timeout_error(self.deadline)]}
                    return
                batch = [first]
                while True:  # let fragments that only waited for these finish with them
                    await asyncio.sleep(0)
                    await asyncio.sleep(0)
                    if ready.empty():
                        break
                    while not ready.empty():
                        batch.append(ready.get_nowait())
                remaining -= len(batch)
                entries: list[dict[str, Any]] = []
                for i in batch:
                    entries += self._fragment_entries(run, fragments[i], errors[i], fragments)
                if entries or not remaining:
                    payload: dict[str, Any] = {"hasNext": remaining > 0}
                    if entries:
                        payload["incremental"] = entries
                    if not remaining and run.denied_pending:
                        payload["errors"] = run.denied_pending  # in no delivered entry
                    yield payload
        finally:
            for task in tasks:
                task.cancel()

    def _fragment_entries(
        self,
        run: DeferredRun,
        fragment: DeferredFragment,
        fetch_errors: list[dict[str, Any]],
        fragments: Mapping[int, DeferredFragment],
    ) -> list[dict[str, Any]]:
        """The fragment's entries, cut from the data shaped with the fields visible to it
        (the primary's, its own, its enclosing fragments')."""
        visible = {0, fragment.id}
        parent = fragment.parent
        while parent and parent not in visible:
            visible.add(parent)
            parent = fragments[parent].parent if parent in fragments else 0
        planned = run.planned
        shaper = Shaper(
            run.variables,
            self.object_types,
            frozenset(visible),
            defer.TYPENAME_ALIAS,
            fragment.id,
        )
        data = shaper.shape_root(run.state.data, planned.shape, planned.root_type)
        denied: list[dict[str, Any]] = []
        if run.complete is not None:
            data, denied = run.complete(data)
        assert planned.operation is not None
        entries = defer.increments(
            planned.operation,
            planned.fragments,
            data,
            run.requested,
            self._applies,
            planned.root_type,
            fragment.selection,
        )
        errors = fetch_errors or shaper.errors
        defer.assign_errors(entries, errors, run.reported)
        run.reported.extend(errors)
        # a removed field lies in the entries of the fragment it belongs to: reported
        # there, and left for a later fragment (or the last payload) otherwise
        run.reported.extend(defer.assign_errors(entries, denied, run.reported, strict=True))
        run.denied_pending = [e for e in denied if not defer.reported_in(e, run.reported)]
        return entries

    def _applies(self, type_condition: str, typename: Any) -> bool:
        return typename == type_condition or typename in self.executor.possible.get(
            type_condition, frozenset()
        )

"""`_entities` calls of concurrent client requests coalesced into one subgraph request.

Opt-in per subgraph (`batch_window` in traffic shaping, seconds; 0, the default, is off):
an `_entities` fetch waits that long for others with the same query text, operation
name, headers (so the same caller identity: never across callers) and other variables,
then one request carries every representation and each caller gets its own slice back.
A subgraph that is slow per request but cheap per entity (one SQL `IN` query) answers
many concurrent clients with one round trip.

The answer is split the way it was joined: `data._entities` by offset, each error whose
path starts `["_entities", i]` to the caller that sent representation `i` (renumbered to
its own), an error without such a path to every caller, a failure (timeout, HTTP error)
to every caller. A batch is sent at once when it reaches `max_representations`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

Send = Callable[[Mapping[str, Any]], Awaitable[Any]]
"""Sends one request with these variables; returns the subgraph's JSON body or a failure."""

MAX_REPRESENTATIONS = 1000


@dataclass
class _Batch:
    variables: dict[str, Any]
    parts: list[tuple[int, int, asyncio.Future[Any]]] = field(default_factory=list)
    size: int = 0
    timer: asyncio.TimerHandle | None = None


class EntityBatcher:
    def __init__(self, max_representations: int = MAX_REPRESENTATIONS) -> None:
        self.max_representations = max_representations
        self._open: dict[bytes, _Batch] = {}

    async def submit(
        self,
        key_parts: tuple[str, str | None, Mapping[str, str] | None],
        variables: Mapping[str, Any],
        window: float,
        send: Send,
    ) -> Any:
        """This call's answer, as if it had been sent alone."""
        representations = list(variables["representations"])
        rest = {k: v for k, v in variables.items() if k != "representations"}
        key = orjson.dumps(
            [key_parts[0], key_parts[1], sorted((key_parts[2] or {}).items()), rest],
            option=orjson.OPT_SORT_KEYS,
        )
        loop = asyncio.get_running_loop()
        batch = self._open.get(key)
        if batch is None:
            batch = self._open[key] = _Batch({**rest, "representations": []})
            batch.timer = loop.call_later(window, self._flush, key, send)
        future: asyncio.Future[Any] = loop.create_future()
        batch.parts.append((batch.size, len(representations), future))
        batch.variables["representations"].extend(representations)
        batch.size += len(representations)
        if batch.size >= self.max_representations:
            self._flush(key, send)
        return await future

    def _flush(self, key: bytes, send: Send) -> None:
        batch = self._open.pop(key, None)
        if batch is None:
            return
        if batch.timer is not None:
            batch.timer.cancel()
        # a task of its own: one caller cancelled (its client left) cancels nobody else
        asyncio.get_running_loop().create_task(self._send(batch, send))

    async def _send(self, batch: _Batch, send: Send) -> None:
        try:
            answer = await send(batch.variables)
        except Exception as e:  # delivered to every caller, as their own call would have
            for _, _, future in batch.parts:
                if not future.done():
                    future.set_exception(e)
            return
        for offset, count, future in batch.parts:
            if not future.done():
                future.set_result(_slice(answer, offset, count))


def _slice(answer: Any, offset: int, count: int) -> Any:
    """One caller's part of the batch's answer (a failure is everyone's)."""
    if not isinstance(answer, dict):
        return answer
    out: dict[str, Any] = {}
    data = answer.get("data")
    if isinstance(data, dict) and isinstance(data.get("_entities"), list):
        out["data"] = {**data, "_entities": data["_entities"][offset : offset + count]}
    elif "data" in answer:
        out["data"] = data
    errors = []
    for error in answer.get("errors") or ():
        path = error.get("path") if isinstance(error, dict) else None
        if isinstance(path, list) and len(path) > 1 and path[0] == "_entities":
            index = path[1]
            if isinstance(index, int):
                if offset <= index < offset + count:
                    errors.append({**error, "path": ["_entities", index - offset, *path[2:]]})
                continue
        errors.append(error)
    if errors:
        out["errors"] = errors
    for name, value in answer.items():
        if name not in ("data", "errors"):
            out[name] = value
    return out

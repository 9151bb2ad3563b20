"""What the HTTP streaming transports (SSE, multipart) share.

Both turn a subscription's results into a long-lived HTTP response: they need quiet-stream
ticks (a keep-alive comment, a heartbeat part), a stream freed however the response ends,
writes that give up on a client that stopped reading, and the same HTTP status for an
authentication/authorization refusal.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from starlette.responses import StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from .source import ExecutionResult

log = logging.getLogger(__name__)

_AUTH_STATUS = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "UNAUTHORIZED_FIELD_OR_TYPE": 403,
    "RATE_LIMITED": 429,
    "TOO_MANY_SUBSCRIPTIONS": 429,
}


def auth_status(errors: list[dict[str, Any]]) -> int | None:
    """401/403 when the operation was refused for who is asking (429 when the client is
    over its rate limit), else None."""
    codes = [str((e.get("extensions") or {}).get("code")) for e in errors]
    return next((_AUTH_STATUS[c] for c in codes if c in _AUTH_STATUS), None)


async def results_with_ticks(
    stream: AsyncIterator[ExecutionResult], interval: float, *, tick_first: bool = False
) -> AsyncGenerator[ExecutionResult | None, None]:
    """The stream's results, and None after every `interval` seconds without one (and
    first of all, with `tick_first`).

    Errors of the stream (e.g. `OperationErrors`) reach the caller. However iteration ends,
    the pending read is cancelled and the stream closed, which frees the subscription; use
    it under `contextlib.aclosing` so that happens as soon as the response ends."""
    iterator = aiter(stream)
    pending: asyncio.Future[ExecutionResult] | None = None
    try:
        if tick_first:
            yield None
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(iterator))
            done, _ = await asyncio.wait({pending}, timeout=interval)
            if not done:
                yield None
                continue
            finished, pending = pending, None
            try:
                result = finished.result()
            except StopAsyncIteration:
                return
            yield result
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()


class TimedStreamingResponse(StreamingResponse):
    """A streaming response whose every write must complete within `send_timeout`: a
    client that stops reading loses its stream instead of holding it forever."""

    def __init__(self, content: AsyncIterator[bytes], media_type: str, send_timeout: float) -> None:
        super().__init__(
            content,
            media_type=media_type,
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )
        self.send_timeout = send_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def timed_send(message: Message) -> None:
            await asyncio.wait_for(send(message), self.send_timeout)

        try:
            await super().__call__(scope, receive, timed_send)
        except TimeoutError:
            log.info(
                "%s client stopped reading for %gs; stream dropped",
                self.media_type,
                self.send_timeout,
            )
        finally:
            aclose = getattr(self.body_iterator, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()

"""GraphQL over Server-Sent Events, "distinct connections" mode (as the graphql-sse library).

One HTTP request per operation: POST a JSON body or GET with query parameters, with
``Accept: text/event-stream``. The response streams ``event: next`` messages (each
``data:`` a GraphQL result) and ends with ``event: complete``. An operation that cannot
start (parse, validation, variables) is still an accepted stream, as the protocol asks: one
`next` with its ``errors``, then `complete` (authentication/authorization refusals are
HTTP 401/403 with a JSON body, malformed HTTP requests 400); an error during the stream
comes as a last `next` with `errors`, then `complete`. A comment
line every `keepalive` seconds keeps proxies from closing a quiet stream. A client that
stops reading (one write blocked for `send_timeout` seconds) loses its stream: the
connection is dropped and the subscription freed, as the WebSocket side closes with 1013.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from .source import ExecutionResult, OperationErrors, OperationRequest, SubscriptionSource

log = logging.getLogger(__name__)

EVENT_STREAM = "text/event-stream"
_STATUS_BY_CODE = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "UNAUTHORIZED_FIELD_OR_TYPE": 403}


def wants_event_stream(request: Request) -> bool:
    """Whether the client asked for SSE (so a shared /graphql route can hand it over)."""
    return EVENT_STREAM in request.headers.get("accept", "")


def _bad(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]}, status
    )


def _event(kind: str, data: Any = None) -> bytes:
    body = b"" if data is None else orjson.dumps(data)
    return b"event: " + kind.encode() + b"\ndata: " + body + b"\n\n"


class _EventStreamResponse(StreamingResponse):
    """A streaming response whose every write must complete within `send_timeout`."""

    def __init__(self, content: AsyncIterator[bytes], send_timeout: float) -> None:
        super().__init__(
            content,
            media_type=EVENT_STREAM,
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )
        self.send_timeout = send_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def timed_send(message: Message) -> None:
            await asyncio.wait_for(send(message), self.send_timeout)

        try:
            await super().__call__(scope, receive, timed_send)
        except TimeoutError:
            log.info("SSE client stopped reading for %gs; stream dropped", self.send_timeout)
        finally:
            aclose = getattr(self.body_iterator, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()


class GraphQLSSE:
    """Serve subscriptions over SSE: ``Route("/graphql/stream", sse.endpoint, methods=[...])``."""

    def __init__(
        self, source: SubscriptionSource, *, keepalive: float = 12.0, send_timeout: float = 30.0
    ) -> None:
        self.source = source
        self.keepalive = keepalive
        self.send_timeout = send_timeout

    def route(self, path: str = "/graphql/stream") -> Route:
        return Route(path, self.endpoint, methods=["GET", "POST"])

    async def endpoint(self, request: Request) -> Response:
        if not wants_event_stream(request):
            return _bad("this endpoint streams: send Accept: text/event-stream", 406)
        parsed = await _read(request)
        if isinstance(parsed, Response):
            return parsed
        query, variables, operation_name, extensions = parsed
        operation = OperationRequest(
            query=query,
            variables=variables,
            operation_name=operation_name,
            extensions=extensions,
            headers={k.lower(): v for k, v in request.headers.items()},
        )
        try:
            stream = await self.source.open(operation)
        except OperationErrors as exc:
            codes = [str((e.get("extensions") or {}).get("code")) for e in exc.errors]
            status = next((_STATUS_BY_CODE[c] for c in codes if c in _STATUS_BY_CODE), None)
            if status is not None:
                return JSONResponse({"errors": exc.errors}, status)
            return _EventStreamResponse(_refused(exc.errors), self.send_timeout)
        return _EventStreamResponse(self._events(stream), self.send_timeout)

    async def _events(self, stream: AsyncIterator[ExecutionResult]) -> AsyncIterator[bytes]:
        iterator = aiter(stream)
        pending: asyncio.Future[ExecutionResult] | None = None
        try:
            while True:
                if pending is None:
                    pending = asyncio.ensure_future(anext(iterator))
                done, _ = await asyncio.wait({pending}, timeout=self.keepalive)
                if not done:
                    yield b":\n\n"
                    continue
                finished, pending = pending, None
                try:
                    result = finished.result()
                except StopAsyncIteration:
                    break
                except OperationErrors as exc:
                    yield _event("next", {"errors": exc.errors})
                    break
                yield _event("next", result)
            yield _event("complete")
        finally:
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(BaseException):
                    await pending
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()


async def _refused(errors: list[dict[str, Any]]) -> AsyncIterator[bytes]:
    yield _event("next", {"errors": errors})
    yield _event("complete")


async def _read(
    request: Request,
) -> tuple[str, dict[str, Any] | None, str | None, dict[str, Any] | None] | Response:
    """The GraphQL parameters of a GET (query string) or POST (JSON body)."""
    if request.method == "GET":
        raw: Mapping[str, Any] = dict(request.query_params)
        try:
            params: dict[str, Any] = {
                "query": raw.get("query"),
                "operationName": raw.get("operationName"),
                "variables": orjson.loads(raw["variables"]) if raw.get("variables") else None,
                "extensions": orjson.loads(raw["extensions"]) if raw.get("extensions") else None,
            }
        except orjson.JSONDecodeError:
            return _bad("`variables` and `extensions` must be JSON objects")
    else:
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return _bad("the request body must be JSON: {query, variables, operationName}")
        if not isinstance(body, dict):
            return _bad("the request body must be a JSON object")
        params = body
    query = params.get("query")
    if not isinstance(query, str) or not query.strip():
        return _bad("`query` is required: the GraphQL document to run")
    variables, name, extensions = (
        params.get("variables"),
        params.get("operationName"),
        params.get("extensions"),
    )
    if variables is not None and not isinstance(variables, dict):
        return _bad("`variables` must be an object")
    if name is not None and not isinstance(name, str):
        return _bad("`operationName` must be a string")
    if extensions is not None and not isinstance(extensions, dict):
        return _bad("`extensions` must be an object")
    return query, variables, name, extensions

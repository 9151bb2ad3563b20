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

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .source import ExecutionResult, OperationErrors, OperationRequest, SubscriptionSource
from .streaming import TimedStreamingResponse, auth_status, results_with_ticks

EVENT_STREAM = "text/event-stream"


def wants_event_stream(request: Request) -> bool:
    """Whether the client asked for SSE (so a shared /graphql route can hand it over)."""
    return EVENT_STREAM in request.headers.get("accept", "")


def _bad(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]}, status
    )


def _event(kind: str, data: Any = None) -> bytes:
    body = b"" if data is None else orjson.dumps(data)
    return b"event: " + kind.encode() + _event_id(data) + b"\ndata: " + body + b"\n\n"


def _event_id(data: Any) -> bytes:
    """``id: <cursor>`` for a push that carries its resume cursor: what the browser's
    EventSource sends back as ``Last-Event-ID`` when it reconnects (cursor.py)."""
    extensions = data.get("extensions") if isinstance(data, dict) else None
    cursor = extensions.get("cursor") if isinstance(extensions, dict) else None
    if isinstance(cursor, str) and cursor.replace(".", "").isdigit():
        return b"\nid: " + cursor.encode()
    return b""


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
            peer=request.client.host if request.client else None,
        )
        try:
            stream = await self.source.open(operation)
        except OperationErrors as exc:
            status = auth_status(exc.errors)
            if status is not None:
                return JSONResponse({"errors": exc.errors}, status)
            return TimedStreamingResponse(_refused(exc.errors), EVENT_STREAM, self.send_timeout)
        return TimedStreamingResponse(self._events(stream), EVENT_STREAM, self.send_timeout)

    async def _events(self, stream: AsyncIterator[ExecutionResult]) -> AsyncIterator[bytes]:
        try:
            async with contextlib.aclosing(results_with_ticks(stream, self.keepalive)) as results:
                async for result in results:
                    yield b":\n\n" if result is None else _event("next", result)
        except OperationErrors as exc:
            yield _event("next", {"errors": exc.errors})
        yield _event("complete")


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

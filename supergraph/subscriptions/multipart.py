"""Subscriptions over multipart HTTP: Apollo's protocol (``subscriptionSpec=1.0``).

What Apollo Client's HttpLink sends for every subscription by default, and Apollo Router
serves: an ordinary GraphQL POST (or GET) whose Accept lists
``multipart/mixed;subscriptionSpec=1.0`` (beside ``application/json``). The response is
``multipart/mixed;boundary="graphql";subscriptionSpec="1.0"``, one JSON part per message:

- ``{"payload": <execution result>}`` for each event (errors inside the result, such as a
  field that failed, leave the subscription open);
- ``{}`` as a heartbeat: once at the start (so the client sees the subscription is live)
  and whenever `heartbeat` seconds pass without an event, so proxies keep the stream open;
- ``{"payload": null, "errors": [...]}`` when the subscription fails and ends (transport
  level: no ``locations`` or ``path``);
- then the closing boundary, also when the subscription simply completes.

An operation that cannot start (parse, validation, variables) answers like a query would
on this endpoint: one JSON body with ``errors`` (400 under
``application/graphql-response+json``, else 200), authentication/authorization refusals
401/403. Apollo Client reports either as the subscription's GraphQL errors. A client that
disconnects, or stops reading (one write blocked for `send_timeout` seconds), loses its
stream and the subscription is freed, as over SSE.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.responses import Response

from .source import ExecutionResult, OperationErrors, OperationRequest, SubscriptionSource
from .streaming import TimedStreamingResponse, auth_status, results_with_ticks

log = logging.getLogger(__name__)

MULTIPART_SUBSCRIPTION = 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"'
_PART = b"\r\n--graphql\r\ncontent-type: application/json\r\n\r\n"
_HEARTBEAT = _PART + b"{}"
_CLOSE = b"\r\n--graphql--\r\n"
_GRAPHQL_RESPONSE = "application/graphql-response+json"
_REQUEST_ERRORS = {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"}


def wants_multipart_subscription(accept: str) -> bool:
    """Whether an Accept header lists ``multipart/mixed`` with ``subscriptionSpec=1.0``
    (quoted or not, any parameter order), the only version of the protocol there is."""
    for media_range in accept.split(","):
        media_type, *parameters = media_range.split(";")
        if media_type.strip().lower() != "multipart/mixed":
            continue
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "subscriptionspec" and value.strip().strip("\"'") == "1.0":
                return True
    return False


@functools.lru_cache(maxsize=512)
def is_subscription(query: str, operation_name: str | None) -> bool:
    """Whether the operation to run is a subscription (False when the document does not
    parse or names no such operation: the query pipeline then reports why)."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operation = get_operation_ast(document, operation_name)
    return operation is not None and operation.operation == OperationType.SUBSCRIPTION


def _part(message: dict[str, Any]) -> bytes:
    return _PART + orjson.dumps(message)


def _transport_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Top-level errors never carry `locations` or `path` (the protocol says so)."""
    return [{k: v for k, v in e.items() if k not in ("locations", "path")} for e in errors]


class GraphQLMultipart:
    """Serve subscriptions as multipart HTTP responses from a `SubscriptionSource`.

    The caller decides the request is a multipart subscription (`wants_multipart_subscription`
    and `is_subscription`) and decodes it; `respond` runs it.
    """

    def __init__(
        self, source: SubscriptionSource, *, heartbeat: float = 5.0, send_timeout: float = 30.0
    ) -> None:
        self.source = source
        self.heartbeat = heartbeat
        self.send_timeout = send_timeout

    async def respond(self, operation: OperationRequest, accept: str = "") -> Response:
        try:
            stream = await self.source.open(operation)
        except OperationErrors as exc:
            return _refused(exc.errors, accept)
        return TimedStreamingResponse(
            self._parts(stream), MULTIPART_SUBSCRIPTION, self.send_timeout
        )

    async def _parts(self, stream: AsyncIterator[ExecutionResult]) -> AsyncIterator[bytes]:
        # a heartbeat first, so the client sees the subscription is live
        ticks = results_with_ticks(stream, self.heartbeat, tick_first=True)
        try:
            async with contextlib.aclosing(ticks) as results:
                async for result in results:
                    yield _HEARTBEAT if result is None else _part({"payload": result})
        except OperationErrors as exc:
            yield _part({"payload": None, "errors": _transport_errors(exc.errors)})
        except Exception:
            log.exception("subscription failed while streaming multipart parts")
            error = {
                "message": "Internal gateway error.",
                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            }
            yield _part({"payload": None, "errors": [error]})
        yield _CLOSE


def _refused(errors: list[dict[str, Any]], accept: str) -> Response:
    """An operation that cannot start: a plain GraphQL response, as for a query."""
    media = _GRAPHQL_RESPONSE if _GRAPHQL_RESPONSE in accept.lower() else "application/json"
    status = auth_status(errors)
    if status is None:
        codes = {str((e.get("extensions") or {}).get("code")) for e in errors}
        request_error = bool(codes & _REQUEST_ERRORS)
        status = 400 if request_error and media == _GRAPHQL_RESPONSE else 200
    return Response(orjson.dumps({"errors": errors}), status, media_type=media)

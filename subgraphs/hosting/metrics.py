"""Prometheus `/metrics` of one subgraph service: its GraphQL traffic and its event bus.

Requests are counted around the GraphQL app, per operation: the operation name the
gateway sends (``PlaceOrder__ordering__0``, the client's name plus the fetch's subgraph and
index) is counted under the client's name (``PlaceOrder``), so the gateway's and the
subgraph's series line up; a call without a name is ``anonymous``. Names come from
clients, so past `MAX_OPERATION_NAMES` distinct ones new names count as ``other``. The
outcome is ``ok``, ``error`` (the GraphQL response has ``errors``: a domain refusal or a
failure) or ``http_<status>`` (refused before GraphQL ran: 401 without the gateway's
identity, 400 for an unreadable body...).

To find the name the middleware reads the request body first (bounded by `PEEK_LIMIT`:
a bigger body is passed through uncounted by name) and hands it on unchanged. The event
bus figures come from `eventbus.metrics`. Who may scrape: `pos.metrics_access`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eventbus.metrics import BusMetrics
from pos.metrics_access import Network, allowed_networks, may_scrape
from subgraphs.hosting.services import ContextServices

MAX_OPERATION_NAMES = 200
PEEK_LIMIT = 1 << 20
RESPONSE_PEEK = 1 << 16
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_FETCH_SUFFIX = re.compile(r"__[A-Za-z0-9_]+?__\d+$")


class SubgraphMetrics:
    """One subgraph's registry: request counters and the bus collector; `endpoint` serves it."""

    def __init__(
        self, subgraph: str, services: ContextServices, allow: tuple[Network, ...] | None = ()
    ) -> None:
        self.subgraph = subgraph
        self.allow = allowed_networks() if allow == () else allow
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "pos_subgraph_requests",
            "GraphQL requests served, by operation and outcome (ok, error, http_<status>).",
            ["subgraph", "operation", "outcome"],
            registry=self.registry,
        )
        self.seconds = Histogram(
            "pos_subgraph_request_duration_seconds",
            "Time to answer a GraphQL request, by operation.",
            ["subgraph", "operation"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.bus = BusMetrics(
            outbox=getattr(services.store, "outbox", None),
            relay=lambda: services.relay,
            runners=lambda: services.runners,
        )
        self.registry.register(self.bus)
        self._names: set[str] = set()

    def operation_label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        name = _FETCH_SUFFIX.sub("", name) or name
        if name in self._names:
            return name
        if len(self._names) >= MAX_OPERATION_NAMES:
            return "other"
        self._names.add(name)
        return name

    def observe(self, operation: str, outcome: str, seconds: float) -> None:
        self.requests.labels(self.subgraph, operation, outcome).inc()
        self.seconds.labels(self.subgraph, operation).observe(seconds)

    def counting(self, app: ASGIApp) -> ASGIApp:
        """`app` with each HTTP request counted (WebSocket connections pass through)."""
        return _Counted(self, app)

    async def endpoint(self, request: Request) -> Response:
        if not may_scrape(request.client.host if request.client else None, self.allow):
            return PlainTextResponse("metrics are served to allowed networks only\n", 403)
        await self.bus.refresh()
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE)


class _Counted:
    """The counting ASGI wrapper (a class: Starlette's `Route` serves instances as apps)."""

    def __init__(self, metrics: SubgraphMetrics, app: ASGIApp) -> None:
        self.metrics = metrics
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        received, body = await _peek_body(receive)
        operation = self.metrics.operation_label(_operation_name(scope, body))
        status = 500
        errors = False

        async def sending(message: Message) -> None:
            nonlocal status, errors
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and not errors:
                errors = b'"errors"' in bytes(message.get("body", b""))[:RESPONSE_PEEK]
            await send(message)

        try:
            await self.app(scope, _replay(received, receive), sending)
        finally:
            outcome = f"http_{status}" if status >= 400 else "error" if errors else "ok"
            self.metrics.observe(operation, outcome, time.perf_counter() - began)


async def _peek_body(receive: Receive) -> tuple[list[Message], bytes | None]:
    """The request's messages read so far and its whole body (None past `PEEK_LIMIT`)."""
    received: list[Message] = []
    size = 0
    while True:
        message = await receive()
        received.append(message)
        if message["type"] != "http.request":
            return received, None
        size += len(message.get("body", b""))
        if size > PEEK_LIMIT:
            return received, None
        if not message.get("more_body", False):
            return received, b"".join(bytes(m.get("body", b"")) for m in received)


def _replay(received: list[Message], receive: Receive) -> Callable[[], Awaitable[Message]]:
    pending = list(received)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


def _operation_name(scope: Scope, body: bytes | None) -> str | None:
    if scope.get("method") == "GET":
        names = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("operationName")
        return names[0] if names else None
    if not body:
        return None
    try:
        parsed: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    name = parsed.get("operationName") if isinstance(parsed, dict) else None
    return name if isinstance(name, str) else None

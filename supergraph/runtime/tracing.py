"""Spans of the gateway: the HTTP request, the operation, parse, validate, plan, and each
subgraph fetch (which carries the trace on to the subgraph in a W3C ``traceparent``).

Why not a plugin: the plugin API (`plugins/api.py`) has request and response hooks, not
hooks around a stage, so a span opened in a request hook has no reliable end (a failed
fetch never reaches `subgraph_response`), and parsing and planning happen before the
first supergraph hook. So the few places that do the work call these helpers; each is
one line there. With no tracer provider installed (the default) each helper returns at
once (`eventbus.tracing.enabled`): no spans, no headers, no context switches.

The client's own ``traceparent`` is honoured (the gateway's spans join the client's
trace), as Apollo Router does by default; a client cannot do more with it than choose
the trace id its request is recorded under.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind

from eventbus.tracing import enabled

if TYPE_CHECKING:
    from graphql import OperationDefinitionNode
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

TRACER = trace.get_tracer("pos.gateway")
P = ParamSpec("P")
R = TypeVar("R")


class ServerSpan:
    """An ASGI app (the /graphql route) inside a SERVER span per HTTP request, continuing
    the client's ``traceparent``. Around the whole exchange, sending included, so the
    access log line of the request carries its trace id (`pos.logging_json`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not enabled():
            await self.app(scope, receive, send)
            return
        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope.get("headers", ())
            if name in (b"traceparent", b"tracestate")
        }
        method = scope.get("method", "GET")
        path = scope.get("path", "")
        with TRACER.start_as_current_span(
            f"{method} {path}",
            context=propagate.extract(carrier, context=Context()),  # the client's, or new
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": path},
        ) as span:

            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.response.status_code", int(message["status"]))
                await send(message)

            await self.app(scope, receive, sending)


@contextlib.contextmanager
def operation_span(operation_name: str | None) -> Iterator[Span]:
    """One GraphQL operation, however it arrived (HTTP, batch entry, WebSocket)."""
    if not enabled():
        yield trace.INVALID_SPAN
        return
    name = operation_name or "anonymous"
    with TRACER.start_as_current_span(
        f"graphql {name}", attributes={"graphql.operation.name": name}
    ) as span:
        yield span


def name_operation(operation: OperationDefinitionNode | None) -> None:
    """Name the current operation span after the document's operation, once it is parsed
    (a client need not send `operationName` for a document with one operation)."""
    if operation is None or not enabled():
        return
    span = trace.get_current_span()
    kind = operation.operation.value
    name = operation.name.value if operation.name else "anonymous"
    span.update_name(f"graphql {name}")
    span.set_attribute("graphql.operation.name", name)
    span.set_attribute("graphql.operation.type", kind)


def in_span(name: str, work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`work(*args, **kwargs)` inside a span named `name` (parse, validate, plan)."""
    if not enabled():
        return work(*args, **kwargs)
    with TRACER.start_as_current_span(name):
        return work(*args, **kwargs)


@contextlib.contextmanager
def fetch_span(service: str, operation_name: str | None) -> Iterator[Span]:
    """The CLIENT span of one subgraph request (retries included)."""
    if not enabled():
        yield trace.INVALID_SPAN
        return
    with TRACER.start_as_current_span(
        f"fetch {service}",
        kind=SpanKind.CLIENT,
        attributes={
            "pos.subgraph": service,
            "graphql.operation.name": operation_name or "anonymous",
        },
    ) as span:
        yield span


def with_trace_context(headers: Mapping[str, str] | None) -> Mapping[str, str] | None:
    """`headers` plus the current span's ``traceparent`` (unchanged when not tracing)."""
    if not enabled():
        return headers
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    if not carrier:
        return headers
    return {**(headers or {}), **carrier}

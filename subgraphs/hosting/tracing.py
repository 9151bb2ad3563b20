"""Spans of a subgraph service: the HTTP request (continuing the gateway's trace) and
each command handler run.

The gateway sends the W3C ``traceparent`` header with every subgraph fetch; the server
span continues from it, and everything the request does runs inside it: the command
handler's span (`command_span`, one per attempt, so a retried race shows as two), the
event append (`eventbus.tracing`), whose context then travels with the events. With no
tracer provider installed both pass straight through (`eventbus.tracing.enabled`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eventbus import DomainError
from eventbus.tracing import enabled

TRACER = trace.get_tracer("pos.subgraphs")


class Traced:
    """`app` with a SERVER span per HTTP request, child of the caller's ``traceparent``.

    A class, not a closure: Starlette's `Route` serves instances as ASGI apps."""

    def __init__(self, subgraph: str, app: ASGIApp) -> None:
        self.subgraph = subgraph
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
        route = f"{scope.get('root_path', '')}{scope.get('path', '')}"
        with TRACER.start_as_current_span(
            f"{method} {route}",
            # the parent is the caller's header or none, even when called in process
            context=propagate.extract(carrier, context=Context()),
            kind=SpanKind.SERVER,
            attributes={
                "http.request.method": method,
                "url.path": route,
                "pos.subgraph": self.subgraph,
            },
        ) as span:

            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(trace.StatusCode.ERROR)
                await send(message)

            await self.app(scope, receive, sending)


@contextlib.contextmanager
def command_span(command: object) -> Iterator[None]:
    """A span around one run of a command handler, named for the command."""
    if not enabled():
        yield
        return
    name = type(command).__name__
    with TRACER.start_as_current_span(
        f"command {name}",
        attributes={"pos.command": name},
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield
        except DomainError as refused:  # the business said no: not a fault of the service
            span.set_attribute("pos.command.refused", refused.code)
            raise
        except BaseException as exc:
            span.record_exception(exc)
            span.set_status(trace.StatusCode.ERROR, f"{type(exc).__name__}: {exc}")
            raise

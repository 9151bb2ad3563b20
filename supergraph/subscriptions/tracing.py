"""The span of one subscription push, continuing the trace of the event that caused it.

The event arrives from the bus with the ``traceparent`` the relay's publish span gave it
(`eventbus.tracing`), so the push (and the subgraph fetches that resolve its payload)
joins the trace of the mutation that wrote the event. Events without a trace context are
pushed without a span.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from opentelemetry import trace
from opentelemetry.trace import SpanKind

from eventbus.envelope import Envelope
from eventbus.tracing import context_of, enabled

TRACER = trace.get_tracer("pos.gateway.subscriptions")


@contextlib.contextmanager
def pushing(envelope: Envelope, entity: str) -> Iterator[None]:
    """A CONSUMER span, current while the push's payload is resolved."""
    parent = context_of(envelope.traceparent) if enabled() else None
    if parent is None:
        yield
        return
    with TRACER.start_as_current_span(
        f"subscription push {entity}",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.name": "process",
            "messaging.message.id": envelope.id,
            "pos.event.type": envelope.type,
            "pos.entity": entity,
        },
    ):
        yield

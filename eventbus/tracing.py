"""Trace context across the event bus: append, relay, Kafka, projector, in one trace.

A command's trace cannot follow its events by itself: the relay publishes them later, in
another task or process, and a projector applies them later still. So the trace context
travels *in the event*: the append stamps each new envelope with the W3C `traceparent`
of its span (the CloudEvents distributed-tracing extension attribute, stored in
`events.traceparent`), the relay's publish span continues from it and puts its own
context on the record it sends (body attribute and a ``traceparent`` Kafka header), and
the runner's process span continues from that. Events a reactor writes while processing
are stamped with the reactor's context, so a saga stays one trace too.

Only the OpenTelemetry API is used here, and with no tracer provider installed (the
default) every helper returns at once (`enabled`): nothing is stamped and no span, not
even a no-op one, is made. Events without a trace context (written before tracing was
on, or untraced) are published and processed without spans rather than each starting a
new root trace.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import replace

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from eventbus.envelope import Envelope
from eventbus.ports import Message

TRACER = trace.get_tracer("pos.eventbus")
_W3C = TraceContextTextMapPropagator()
_enabled = False


def enabled() -> bool:
    """Whether a tracer provider is installed (`pos.trace_export`, or a test's). Until then
    every helper here and in the other tracing modules skips its work entirely: even the
    no-op API costs tens of microseconds per span, which an untraced till should not pay."""
    global _enabled
    if not _enabled:
        # `set_tracer_provider` may run once per process; until then the API's global is
        # None (opentelemetry-api 1.45, pinned). Read without `get_tracer_provider()`, which
        # also consults the environment on every call.
        if getattr(trace, "_TRACER_PROVIDER", True) is None:
            return False
        _enabled = not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    return _enabled


def traceparent_of(span: Span | None = None) -> str | None:
    """The W3C ``traceparent`` of `span` (default: the current one), None if not valid."""
    carrier: dict[str, str] = {}
    context = trace.set_span_in_context(span) if span is not None else None
    _W3C.inject(carrier, context=context)
    return carrier.get("traceparent")


def context_of(traceparent: str | None) -> Context | None:
    """The context to continue from an event's or header's ``traceparent`` (None: none)."""
    if not traceparent:
        return None
    context = _W3C.extract({"traceparent": traceparent})
    if not trace.get_current_span(context).get_span_context().is_valid:
        return None
    return context


def stamped(events: Sequence[Envelope], traceparent: str | None) -> list[Envelope]:
    """`events`, each without a trace context given `traceparent`."""
    if traceparent is None:
        return list(events)
    return [e if e.traceparent else replace(e, traceparent=traceparent) for e in events]


@contextlib.contextmanager
def appending(stream_id: str, events: Sequence[Envelope]) -> Iterator[list[Envelope]]:
    """A span around one stream append; yields the events stamped with its context."""
    if not enabled():
        yield list(events)
        return
    with TRACER.start_as_current_span(
        "eventbus append",
        kind=SpanKind.INTERNAL,
        attributes={
            "db.operation.name": "append",
            "pos.stream.id": stream_id,
            "pos.event.count": len(events),
            "pos.event.types": sorted({e.type for e in events}),
        },
    ) as span:
        yield stamped(events, traceparent_of(span))


@contextlib.contextmanager
def publishing(topic: str, envelopes: Sequence[Envelope]) -> Iterator[list[Envelope]]:
    """One PRODUCER span per traced event, child of the span that appended it.

    Yields the envelopes to send: each traced one carries its publish span's context, so
    the consumer's span is the publish span's child. The spans end when the block does
    (after the broker acknowledged), marked failed if it raises.
    """
    if not enabled():
        yield list(envelopes)
        return
    spans: list[Span] = []
    out: list[Envelope] = []
    for envelope in envelopes:
        parent = context_of(envelope.traceparent)
        if parent is None:
            out.append(envelope)
            continue
        span = TRACER.start_span(
            f"publish {topic}",
            context=parent,
            kind=SpanKind.PRODUCER,
            attributes=_messaging(topic, envelope, "publish"),
        )
        spans.append(span)
        out.append(replace(envelope, traceparent=traceparent_of(span) or envelope.traceparent))
    try:
        yield out
    except BaseException as exc:
        for span in spans:
            span.record_exception(exc)
            span.set_status(trace.StatusCode.ERROR, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        for span in spans:
            span.end()


def message_traceparent(message: Message) -> str | None:
    """The record's ``traceparent`` header, else the envelope's attribute."""
    for name, value in message.headers:
        if name == "traceparent":
            return value.decode("ascii", "replace")
    return message.envelope.traceparent if message.envelope is not None else None


@contextlib.contextmanager
def processing(message: Message, consumer: str) -> Iterator[None]:
    """A CONSUMER span (current while the block runs) continuing the record's trace."""
    parent = context_of(message_traceparent(message)) if enabled() else None
    if parent is None or message.envelope is None:
        yield
        return
    attributes = _messaging(message.topic, message.envelope, "process")
    attributes.update(
        {
            "messaging.consumer.group.name": consumer,
            "messaging.destination.partition.id": str(message.partition),
            "messaging.kafka.offset": message.offset,
        }
    )
    with TRACER.start_as_current_span(
        f"process {message.topic}", context=parent, kind=SpanKind.CONSUMER, attributes=attributes
    ):
        yield


def _messaging(topic: str, envelope: Envelope, operation: str) -> dict[str, str | int]:
    return {
        "messaging.system": "kafka",
        "messaging.operation.name": operation,
        "messaging.destination.name": topic,
        "messaging.message.id": envelope.id,
        "messaging.kafka.message.key": envelope.subject,
        "pos.event.type": envelope.type,
        "pos.stream.version": envelope.stream_version,
    }

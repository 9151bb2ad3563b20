"""Capture OpenTelemetry spans in one test without tracing every other test.

OpenTelemetry allows one global tracer provider per process, and a test process runs many
tests that expect untraced behaviour (no ``traceparent`` stamped on their events). So the
global provider installed here is a switch: a no-op tracer, except inside `capturing()`,
where spans go to an SDK provider with an `InMemorySpanExporter`. Production code keeps
its module-level `trace.get_tracer(...)`: those proxies resolve to this provider.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NoOpTracer, Span, SpanKind, Tracer
from opentelemetry.util.types import Attributes

_EXPORTER = InMemorySpanExporter()
_SDK = TracerProvider()
_SDK.add_span_processor(SimpleSpanProcessor(_EXPORTER))
_NOOP = NoOpTracer()
_capturing = False


class _SwitchTracer(Tracer):
    def __init__(self, name: str) -> None:
        self._name = name

    def _active(self) -> Tracer:
        return _SDK.get_tracer(self._name) if _capturing else _NOOP

    def start_span(
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Attributes = None,
        links: Sequence[trace.Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
    ) -> Span:
        return self._active().start_span(
            name, context, kind, attributes, links, start_time, record_exception,
            set_status_on_exception,
        )  # fmt: skip

    @contextlib.contextmanager
    def start_as_current_span(  # type: ignore[override]  # same use, a simpler manager type
        self, name: str, *args: Any, **kwargs: Any
    ) -> Iterator[Span]:
        with self._active().start_as_current_span(name, *args, **kwargs) as span:
            yield span


class _SwitchProvider(trace.TracerProvider):
    def get_tracer(self, instrumenting_module_name: str, *args: Any, **kwargs: Any) -> Tracer:
        return _SwitchTracer(instrumenting_module_name)


def install() -> None:
    """Make the switch the global provider (once per process; later calls do nothing)."""
    if not isinstance(trace.get_tracer_provider(), _SwitchProvider):
        trace.set_tracer_provider(_SwitchProvider())
    assert isinstance(trace.get_tracer_provider(), _SwitchProvider), (
        "another tracer provider was installed first in this test process"
    )


@contextlib.contextmanager
def capturing() -> Iterator[InMemorySpanExporter]:
    """Record every span started inside the block; yields the exporter holding them."""
    global _capturing
    install()
    _EXPORTER.clear()
    _capturing = True
    try:
        yield _EXPORTER
    finally:
        _capturing = False


def by_name(spans: Sequence[ReadableSpan]) -> Mapping[str, list[ReadableSpan]]:
    found: dict[str, list[ReadableSpan]] = {}
    for span in spans:
        found.setdefault(span.name, []).append(span)
    return found


def parent_chain(span: ReadableSpan, spans: Sequence[ReadableSpan]) -> list[str]:
    """Names from `span` up to its root (as far as the captured spans reach)."""
    index = {s.context.span_id: s for s in spans if s.context is not None}
    names = [span.name]
    current = span
    while current.parent is not None and current.parent.span_id in index:
        current = index[current.parent.span_id]
        names.append(current.name)
    return names

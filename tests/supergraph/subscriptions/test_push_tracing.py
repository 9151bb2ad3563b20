"""A subscription push continues the trace of the event that caused it (tracing.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from subscription_doubles import ReadModelResolver, api_schema

from eventbus.envelope import Envelope
from eventbus.transports.inprocess import InProcessTransport
from supergraph.subscriptions import (
    Freshness,
    OperationRequest,
    SupergraphSubscriptions,
    live_subscriptions,
)
from tests.tracing_capture import capturing

EVENT_TRACE = "a3ce929d0e0e47364bf92f3577b34da6"
EVENT_PARENT = f"00-{EVENT_TRACE}-53995c3f42cd8ad8-01"
STATUS = """subscription Status($id: ID!) {
  changed: orderStatusChanged(orderId: $id) { id status }
}"""


@dataclass
class TracedResolver(ReadModelResolver):
    """Remembers the trace each resolution ran in."""

    traces: list[int] = field(default_factory=list)

    async def resolve(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.traces.append(trace.get_current_span().get_span_context().trace_id)
        return await super().resolve(*args, **kwargs)


@pytest.fixture
async def live(supergraph_sdl: str) -> AsyncIterator[tuple[SupergraphSubscriptions, Any, Any]]:
    transport = InProcessTransport()
    resolver = TracedResolver()
    live = live_subscriptions(
        supergraph_sdl,
        api_schema(supergraph_sdl),
        transport,
        resolver,
        subgraph_urls={},
        freshness=Freshness(timeout=1.0, first_delay=0.01, max_delay=0.05),
    )
    await live.feed.start()
    yield live, transport, resolver
    await live.feed.stop()


def _paid(order: str, traceparent: str | None) -> Envelope:
    return Envelope(
        type="pos.ordering.OrderPaid.v1",
        source="ordering",
        subject=order,
        data={},
        stream_version=3,
        traceparent=traceparent,
    )


async def test_the_push_runs_in_the_events_trace(live: Any) -> None:
    subscriptions, transport, resolver = live
    resolver.rows[("Order", "o-1")] = {"id": "o-1", "status": "PAID", "version": 3}
    with capturing() as exporter:
        stream = await subscriptions.open(
            OperationRequest(query=STATUS, variables={"id": "o-1"}, operation_name="Status")
        )
        resolver.traces.clear()  # the start-time argument check ran outside any event
        await transport.publish("pos.ordering", [_paid("o-1", EVENT_PARENT)])
        async with asyncio.timeout(5):
            pushed = await anext(stream)
        spans = list(exporter.get_finished_spans())
    assert pushed == {"data": {"changed": {"id": "o-1", "status": "PAID"}}}
    [push] = [s for s in spans if s.name == "subscription push Order"]
    assert push.kind is SpanKind.CONSUMER
    assert push.parent is not None and push.parent.span_id == 0x53995C3F42CD8AD8
    assert push.context is not None and f"{push.context.trace_id:032x}" == EVENT_TRACE
    assert resolver.traces and {f"{t:032x}" for t in resolver.traces} == {EVENT_TRACE}


async def test_an_untraced_event_is_pushed_without_a_span(live: Any) -> None:
    subscriptions, transport, resolver = live
    resolver.rows[("Order", "o-2")] = {"id": "o-2", "status": "PAID", "version": 3}
    with capturing() as exporter:
        stream = await subscriptions.open(
            OperationRequest(query=STATUS, variables={"id": "o-2"}, operation_name="Status")
        )
        await transport.publish("pos.ordering", [_paid("o-2", None)])
        async with asyncio.timeout(5):
            await anext(stream)
        assert not [s for s in exporter.get_finished_spans() if s.name.startswith("subscr")]

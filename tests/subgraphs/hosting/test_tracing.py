"""A subgraph continues the caller's trace: HTTP server span, command, append, events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from opentelemetry.trace import SpanKind

from eventbus.tracing import context_of
from subgraphs.catalog import CATALOG
from tests.subgraphs.catalog.queries import CREATE_CATEGORY
from tests.subgraphs.hosting.harness import Harness, running
from tests.tracing_capture import capturing, parent_chain

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"


@pytest.fixture(scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running(
        [CATALOG],
        backend="sqlite",
        tmp_path=tmp_path_factory.mktemp("tracing"),
    ) as harness:
        yield harness


async def test_a_mutation_continues_the_callers_trace_down_to_its_events(h: Harness) -> None:
    with capturing() as exporter:
        response = await h.clients["catalog"].post(
            "/graphql",
            json={"query": CREATE_CATEGORY, "variables": {"name": f"T {uuid4().hex[:6]}"}},
            headers={"traceparent": TRACEPARENT},
        )
        assert response.status_code == 200 and not response.json().get("errors"), response.text
        await h.settle()
        spans = list(exporter.get_finished_spans())
    server = next(s for s in spans if s.kind is SpanKind.SERVER)
    assert server.name == "POST /graphql"
    assert server.parent is not None and f"{server.parent.span_id:016x}" == "00f067aa0ba902b7"
    assert server.attributes is not None and server.attributes["http.response.status_code"] == 200
    assert {f"{s.context.trace_id:032x}" for s in spans if s.context} == {CALLER_TRACE}
    append = next(s for s in spans if s.name == "eventbus append")
    assert parent_chain(append, spans) == [
        "eventbus append",
        "command CreateCategory",
        "POST /graphql",
    ]
    [event] = [e for e in await h.store.read_all(0) if e.type.endswith("CategoryCreated.v1")][-1:]
    assert context_of(event.traceparent) is not None
    assert event.traceparent is not None and event.traceparent.split("-")[1] == CALLER_TRACE
    process = [s for s in spans if s.kind is SpanKind.CONSUMER]
    assert process, "the projection applied it in the same trace"
    assert parent_chain(process[0], spans)[-3:] == [
        "eventbus append",
        "command CreateCategory",
        "POST /graphql",
    ]


async def test_a_request_without_trace_context_starts_no_trace_when_untraced(h: Harness) -> None:
    response = await h.clients["catalog"].post(
        "/graphql", json={"query": CREATE_CATEGORY, "variables": {"name": f"U {uuid4().hex[:6]}"}}
    )
    assert response.status_code == 200
    latest = (await h.store.read_all(0))[-1]
    assert latest.traceparent is None

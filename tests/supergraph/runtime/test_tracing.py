"""The gateway's spans (runtime/tracing.py) over real sockets: the client's trace is
continued, the operation named from its document, parse/validate/plan only when not
cached, and each subgraph fetch sends its own span as the subgraph's `traceparent`."""

from __future__ import annotations

from typing import Any

import starlette.routing
from opentelemetry.trace import SpanKind

from tests.tracing_capture import capturing, parent_chain

CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c"
CLIENT_PARENT = f"00-{CLIENT_TRACE}-b7ad6b7169203331-01"
QUERY = "query Me { me { name reviews { body } } }"


def _spy_headers(shop: Any) -> dict[str, list[dict[str, str]]]:
    seen: dict[str, list[dict[str, str]]] = {}
    for name, sub in shop.subgraphs.items():
        original = sub._serve

        async def spy(request: Any, _original: Any = original, _name: str = name) -> Any:
            seen.setdefault(_name, []).append(dict(request.headers))
            return await _original(request)

        sub.app.router.routes[0].endpoint = spy
        sub.app.router.routes[0].app = starlette.routing.request_response(spy)
    return seen


async def test_the_gateway_continues_the_clients_trace_into_each_subgraph(shop: Any) -> None:
    seen = _spy_headers(shop)
    with capturing() as exporter:
        body = await shop.query(QUERY, headers={"traceparent": CLIENT_PARENT})
        again = await shop.query(QUERY, headers={"traceparent": CLIENT_PARENT})
        spans = list(exporter.get_finished_spans())
    assert body == again and "errors" not in body, body
    assert {f"{s.context.trace_id:032x}" for s in spans if s.context} == {CLIENT_TRACE}
    roots = [s for s in spans if s.kind is SpanKind.SERVER]
    assert len(roots) == 2 and all(r.name == "POST /graphql" for r in roots)
    assert all(r.parent is not None and r.parent.span_id == 0xB7AD6B7169203331 for r in roots)
    assert {(r.attributes or {}).get("http.response.status_code") for r in roots} == {200}
    operations = [s for s in spans if s.name == "graphql Me"]
    assert len(operations) == 2
    assert (operations[0].attributes or {}).get("graphql.operation.type") == "query"
    planned = [s for s in spans if s.name == "graphql plan"]
    assert len(planned) == 1, "the second request is planned from the cache"
    assert parent_chain(planned[0], spans) == ["graphql plan", "graphql Me", "POST /graphql"]
    fetches = [s for s in spans if s.kind is SpanKind.CLIENT]
    assert len(fetches) == 2 * len(seen)
    sent = {h["traceparent"] for calls in seen.values() for h in calls}
    assert sent == {f"00-{CLIENT_TRACE}-{f.context.span_id:016x}-01" for f in fetches if f.context}


async def test_an_untraced_request_sends_no_trace_context(shop: Any) -> None:
    seen = _spy_headers(shop)
    body = await shop.query(QUERY)
    assert "errors" not in body
    assert seen and all("traceparent" not in h for calls in seen.values() for h in calls)

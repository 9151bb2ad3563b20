"""Operation limits apply to subscriptions too (they never pass the query pipeline)."""

from __future__ import annotations

import httpx
from subscription_doubles import serve

from eventbus.transports.inprocess import InProcessTransport
from supergraph.runtime import create_app
from supergraph.runtime.plugins.limits import OperationLimits

DEEP = """subscription { orderStatusChanged(orderId: "o-1") { id status } }"""


async def test_a_subscription_over_a_limit_is_refused_when_it_opens(supergraph_sdl: str) -> None:
    app = create_app(
        supergraph_sdl,
        event_transport=InProcessTransport(),
        limits=OperationLimits(max_depth=1),
    )
    async with serve(app, lifespan="on") as base, httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            f"{base}/graphql", json={"query": DEEP}, headers={"accept": "text/event-stream"}
        )
    assert response.status_code == 200  # GraphQL over SSE: refused on an accepted stream
    assert "MAX_DEPTH_LIMIT" in response.text
    assert "event: complete" in response.text


async def test_within_the_limits_the_subscription_opens(supergraph_sdl: str) -> None:
    app = create_app(
        supergraph_sdl,
        event_transport=InProcessTransport(),
        limits=OperationLimits(max_depth=2),
        sse_keepalive=0.05,
    )
    async with (
        serve(app, lifespan="on") as base,
        httpx.AsyncClient(timeout=10) as client,
        client.stream(
            "POST", f"{base}/graphql", json={"query": DEEP}, headers={"accept": "text/event-stream"}
        ) as response,
    ):
        assert response.status_code == 200
        first = await anext(response.aiter_text())
        assert first.startswith(":")  # a keep-alive comment: the stream is open, no refusal

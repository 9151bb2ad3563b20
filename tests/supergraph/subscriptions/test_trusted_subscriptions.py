"""Trusted documents hold for subscriptions too (they never pass the query pipeline)."""

from __future__ import annotations

import hashlib

import httpx
from subscription_doubles import serve

from eventbus.transports.inprocess import InProcessTransport
from supergraph.runtime import create_app
from supergraph.runtime.plugins.trusted_documents import TrustedDocuments

LISTED = """subscription { orderStatusChanged(orderId: "o-1") { id status } }"""
OTHER = """subscription { orderStatusChanged(orderId: "o-1") { id } }"""
SSE = {"accept": "text/event-stream"}


async def test_an_unlisted_subscription_is_refused_when_it_opens(supergraph_sdl: str) -> None:
    trusted = TrustedDocuments({"status-v1": LISTED}, "enforce")
    app = create_app(
        supergraph_sdl, event_transport=InProcessTransport(), trusted_documents=trusted
    )
    async with serve(app, lifespan="on") as base, httpx.AsyncClient(timeout=10) as client:
        response = await client.post(f"{base}/graphql", json={"query": OTHER}, headers=SSE)
    assert response.status_code == 200  # GraphQL over SSE: refused on an accepted stream
    assert "PERSISTED_QUERY_NOT_IN_LIST" in response.text
    assert "event: complete" in response.text


async def test_a_listed_subscription_opens(supergraph_sdl: str) -> None:
    digest = hashlib.sha256(LISTED.encode()).hexdigest()
    trusted = TrustedDocuments({digest: LISTED}, "enforce")
    app = create_app(
        supergraph_sdl,
        event_transport=InProcessTransport(),
        trusted_documents=trusted,
        sse_keepalive=0.05,
    )
    listed = {"query": LISTED}
    async with (
        serve(app, lifespan="on") as base,
        httpx.AsyncClient(timeout=10) as client,
        client.stream("POST", f"{base}/graphql", json=listed, headers=SSE) as response,
    ):
        assert response.status_code == 200
        first = await anext(response.aiter_text())
        assert first.startswith(":")  # a keep-alive comment: the stream is open, no refusal

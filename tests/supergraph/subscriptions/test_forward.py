"""Forwarding a non-event subscription to a subgraph's graphql-transport-ws endpoint."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from subscription_doubles import ScriptedSource, serve

from supergraph.subscriptions import (
    GraphQLTransportWS,
    OperationErrors,
    OperationRequest,
    SubgraphForwarder,
    websocket_url,
)


def _refuse_nope(payload: dict[str, Any] | None) -> bool:
    return (payload or {}).get("token") != "nope"


@pytest.fixture
def subgraph_source() -> ScriptedSource:
    return ScriptedSource()


@pytest.fixture
async def subgraph_url(subgraph_source: ScriptedSource) -> AsyncIterator[str]:
    app = Starlette(
        routes=[
            WebSocketRoute("/graphql", GraphQLTransportWS(subgraph_source, on_connect=_refuse_nope))
        ]
    )
    async with serve(app) as base:
        yield f"{base}/graphql"


async def test_results_flow_through_with_the_clients_connection_params(
    subgraph_url: str, subgraph_source: ScriptedSource
) -> None:
    forwarder = SubgraphForwarder(subgraph_url, forward_headers=("authorization",))
    request = OperationRequest(
        query="count:3",
        variables={"x": 1},
        operation_name="Ticks",
        connection_params={"token": "alice"},
        headers={"authorization": "Bearer a", "cookie": "secret"},
    )
    stream = await forwarder.open(request)
    assert [r async for r in stream] == [{"data": {"n": i}} for i in range(3)]
    seen = subgraph_source.requests[0]
    assert (seen.query, seen.variables, seen.operation_name) == ("count:3", {"x": 1}, "Ticks")
    assert seen.connection_params == {"token": "alice"}
    assert seen.headers["authorization"] == "Bearer a"
    assert "cookie" not in seen.headers


async def test_subgraph_errors_surface_as_operation_errors(subgraph_url: str) -> None:
    stream = await SubgraphForwarder(subgraph_url).open(OperationRequest(query="bad"))
    with pytest.raises(OperationErrors) as caught:
        [r async for r in stream]
    assert caught.value.errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_closing_the_stream_completes_it_on_the_subgraph(
    subgraph_url: str, subgraph_source: ScriptedSource
) -> None:
    stream = await SubgraphForwarder(subgraph_url).open(OperationRequest(query="forever"))
    pending = asyncio.ensure_future(anext(stream))
    async with asyncio.timeout(5):
        while subgraph_source.started < 1:
            await asyncio.sleep(0.01)
    pending.cancel()  # what a transport does when its client goes away
    with contextlib.suppress(asyncio.CancelledError):
        await pending
    await stream.aclose()  # type: ignore[attr-defined]
    async with asyncio.timeout(5):
        while subgraph_source.closed < 1:
            await asyncio.sleep(0.01)


async def test_refused_and_unreachable_subgraphs(subgraph_url: str) -> None:
    with pytest.raises(OperationErrors) as refused:
        await SubgraphForwarder(subgraph_url).open(
            OperationRequest(query="count:1", connection_params={"token": "nope"})
        )
    assert refused.value.errors[0]["extensions"]["code"] == "FORBIDDEN"
    with pytest.raises(OperationErrors) as down:
        await SubgraphForwarder("http://127.0.0.1:9/graphql", open_timeout=1).open(
            OperationRequest(query="count:1")
        )
    assert down.value.errors[0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
    assert "unreachable" in down.value.errors[0]["message"]


def test_websocket_url() -> None:
    assert websocket_url("http://a:1/graphql") == "ws://a:1/graphql"
    assert websocket_url("https://a/graphql") == "wss://a/graphql"

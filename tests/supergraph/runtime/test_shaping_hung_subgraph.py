"""A hung subgraph (its process stopped with SIGSTOP: the socket accepts, nothing answers)
costs the request timeout only until the breaker opens; then the gateway answers at once,
and it recovers by itself after SIGCONT."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from federated_subgraph import Server

from supergraph.composition import Subgraph, compose
from supergraph.runtime import create_app
from supergraph.runtime.fetching.traffic import SubgraphTraffic, TrafficPolicy
from tests.e2e.pos_process import free_port

SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
type Product @key(fields: "id") { id: ID! name: String! }
type Query { product(id: ID!): Product }
"""
SUBGRAPH = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

async def graphql(request):
    await request.body()
    return JSONResponse({"data": {"product": {"name": "Tea"}}})

app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""
QUERY = "query ($id: ID!) { product(id: $id) { name } }"


@pytest.fixture
async def subgraph_process(tmp_path: Path) -> AsyncIterator[tuple[int, str]]:
    script = tmp_path / "products_subgraph.py"
    script.write_text(SUBGRAPH)
    port = free_port()
    process = await asyncio.create_subprocess_exec(sys.executable, str(script), str(port))
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        async with httpx.AsyncClient() as client, asyncio.timeout(30):
            while True:
                try:
                    await client.post(url, json={"query": "{__typename}"})
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        yield process.pid, url
    finally:
        os.kill(process.pid, signal.SIGCONT)
        process.kill()
        await process.wait()


async def _timed(client: httpx.AsyncClient, url: str, n: int = 0) -> tuple[float, Any]:
    """One request (`n`: which product, so that requests are not deduplicated)."""
    began = time.monotonic()
    response = await client.post(url, json={"query": QUERY, "variables": {"id": f"p-{n}"}})
    return time.monotonic() - began, response.json()


async def test_a_hung_subgraph_costs_the_timeout_only_until_the_breaker_opens(
    subgraph_process: tuple[int, str],
) -> None:
    pid, url = subgraph_process
    composed = compose([Subgraph("products", url, SDL)])
    assert composed.ok and composed.supergraph_sdl
    app = create_app(composed.supergraph_sdl, rate_limits=None)
    shaping = SubgraphTraffic(request_timeout=1.0, breaker_failures=3, breaker_open_seconds=2.0)
    app.state.gateway.fetcher.configure_traffic(TrafficPolicy(shaping))
    gateway = Server(app, lifespan="on")
    await gateway.start()
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            took, result = await _timed(client, gateway.url)
            assert result == {"data": {"product": {"name": "Tea"}}}

            os.kill(pid, signal.SIGSTOP)
            # a burst while the breaker is still closed: each of these waits 1 s, no more
            first = await asyncio.gather(*(_timed(client, gateway.url, n) for n in range(5)))
            assert all(0.9 < took < 2.0 for took, _ in first), first
            # open now: 20 more requests answer at once instead of 20 x 1 s
            began = time.monotonic()
            rest = [await _timed(client, gateway.url) for _ in range(20)]
            assert time.monotonic() - began < 1.0
            codes = {r["errors"][0]["extensions"]["code"] for _, r in rest}
            assert codes == {"SUBREQUEST_CIRCUIT_OPEN"}

            os.kill(pid, signal.SIGCONT)
            async with asyncio.timeout(10):  # half-open after 2 s: the probe closes it
                while "errors" in (await _timed(client, gateway.url))[1]:
                    await asyncio.sleep(0.2)
            took, result = await _timed(client, gateway.url)
            assert result == {"data": {"product": {"name": "Tea"}}} and took < 0.5
    finally:
        await gateway.stop()

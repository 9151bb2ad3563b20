"""HTTP/2 and gzip to subgraphs (traffic shaping `http2`, `compression`), over real
sockets: a fixture subgraph served by Hypercorn (which speaks HTTP/2 cleartext with prior
knowledge) behind our subgraphs' own gzip handling (subgraphs/hosting/compression.py).

What a user notices: the answers are the same, the subgraph saw HTTP/2 and gzip bodies
when (and only when) the gateway was told to use them, and a subgraph that speaks only
HTTP/1.1 fails with a clear subgraph error rather than a hang."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from federated_subgraph import Server
from fixture_graphs import BUILDERS, supergraph_sdl
from hypercorn.asyncio import serve
from hypercorn.config import Config
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from subgraphs.hosting.compression import Compression
from supergraph.runtime import create_app
from supergraph.runtime.fetching.traffic import SubgraphTraffic, TrafficPolicy

QUERY = '{ me { name } product(upc: "1") { name reviews { body author { name } } } }'


class Seen:
    """Records what reached the subgraph: HTTP version and encodings, per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests: list[dict[str, Any]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        seen: dict[str, Any] = {
            "http_version": scope["http_version"],
            "content_encoding": headers.get("content-encoding"),
            "accept_encoding": headers.get("accept-encoding", ""),
        }
        self.requests.append(seen)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = {k.decode(): v.decode() for k, v in message.get("headers", [])}
                seen["answered_encoding"] = out.get("content-encoding")
            await send(message)

        await self.app(scope, receive, sending)


class HypercornServer:
    """An ASGI app on Hypercorn at a free 127.0.0.1 port (HTTP/1.1 and h2c)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        config = Config()
        config.bind = [f"127.0.0.1:{self.port}"]
        config.loglevel = "WARNING"
        config.accesslog = None
        self._task = asyncio.create_task(
            serve(self.app, config, shutdown_trigger=self._stop.wait)  # type: ignore[arg-type]
        )
        async with asyncio.timeout(10):
            while True:
                with contextlib.suppress(OSError):
                    _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                    writer.close()
                    return
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task


@pytest.fixture
async def graph() -> AsyncIterator[tuple[Any, dict[str, Seen], httpx.AsyncClient, str]]:
    subgraphs = BUILDERS["shop"]()
    seen = {name: Seen(Compression(s.app)) for name, s in subgraphs.items()}
    servers = {name: HypercornServer(app) for name, app in seen.items()}
    await asyncio.gather(*(s.start() for s in servers.values()))
    app = create_app(
        supergraph_sdl("shop"),
        subgraph_urls={n: s.url for n, s in servers.items()},
        profile="development",
        rate_limits=None,
    )
    gateway = Server(app, lifespan="on")
    await gateway.start()
    client = httpx.AsyncClient(timeout=30)
    try:
        yield app, seen, client, gateway.url
    finally:
        await client.aclose()
        await gateway.stop()
        await asyncio.gather(*(s.stop() for s in servers.values()))


async def _ask(client: httpx.AsyncClient, url: str) -> Any:
    response = await client.post(url, json={"query": QUERY})
    return response.json()


async def test_http2_and_gzip_to_subgraphs_give_the_same_answers(
    graph: tuple[Any, dict[str, Seen], httpx.AsyncClient, str],
) -> None:
    app, seen, client, url = graph
    plain = await _ask(client, url)
    assert "errors" not in plain and plain["data"]["product"]["reviews"]
    assert {r["http_version"] for s in seen.values() for r in s.requests} == {"1.1"}
    assert all(r["content_encoding"] is None for s in seen.values() for r in s.requests)

    policy = TrafficPolicy(
        SubgraphTraffic(),
        {
            "reviews": SubgraphTraffic(http2=True),
            "products": SubgraphTraffic(compression=True),
            "accounts": SubgraphTraffic(http2=True, compression=True),
        },
    )
    app.state.gateway.fetcher.configure_traffic(policy)
    for s in seen.values():
        s.requests.clear()
    shaped = await _ask(client, url)
    assert shaped == plain
    reviews, products, accounts = seen["reviews"], seen["products"], seen["accounts"]
    assert reviews.requests and all(r["http_version"] == "2" for r in reviews.requests)
    assert all(r["content_encoding"] is None for r in reviews.requests)
    assert products.requests and all(r["http_version"] == "1.1" for r in products.requests)
    assert all(r["content_encoding"] == "gzip" for r in products.requests)
    assert all("gzip" in r["accept_encoding"] for r in products.requests)
    assert all(r["http_version"] == "2" for r in accounts.requests)
    assert all(r["content_encoding"] == "gzip" for r in accounts.requests)


async def test_h2c_to_a_subgraph_that_speaks_only_http1_fails_clearly() -> None:
    subgraphs = BUILDERS["shop"]()
    servers = {name: Server(s.app) for name, s in subgraphs.items()}  # uvicorn: HTTP/1.1
    await asyncio.gather(*(s.start() for s in servers.values()))
    app = create_app(
        supergraph_sdl("shop"),
        subgraph_urls={n: s.url for n, s in servers.items()},
        profile="development",
        rate_limits=None,
    )
    app.state.gateway.fetcher.configure_traffic(
        TrafficPolicy(
            SubgraphTraffic(),
            {"reviews": SubgraphTraffic(http2=True, retries=0, request_timeout=5)},
        )
    )
    gateway = Server(app, lifespan="on")
    await gateway.start()
    try:
        async with httpx.AsyncClient(timeout=30) as client, asyncio.timeout(15):
            answer = await _ask(client, gateway.url)
        assert answer["data"]["me"]["name"]  # the other subgraphs still answered
        codes = {e["extensions"]["code"] for e in answer["errors"]}
        assert codes == {"SUBREQUEST_HTTP_ERROR"}
        assert all("reviews" in e["message"] for e in answer["errors"])
    finally:
        await gateway.stop()
        await asyncio.gather(*(s.stop() for s in servers.values()))


async def test_a_gzip_bomb_is_refused_before_any_graphql_runs() -> None:
    ran: list[bytes] = []

    async def graphql(scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        ran.append(message.get("body", b""))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    guarded = Compression(graphql, max_body_size=64 * 1024)
    transport = httpx.ASGITransport(app=guarded)
    async with httpx.AsyncClient(transport=transport, base_url="http://subgraph") as client:
        bomb = gzip.compress(b"{" + b" " * (10 * 1024 * 1024) + b"}")  # ~10 kB -> 10 MB
        refused = await client.post("/graphql", content=bomb, headers={"content-encoding": "gzip"})
        assert refused.status_code == 413
        assert refused.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        broken = await client.post(
            "/graphql", content=b"not gzip", headers={"content-encoding": "gzip"}
        )
        assert broken.status_code == 400
        body = orjson.dumps({"query": "{ me { name } }"})
        fine = await client.post(
            "/graphql", content=gzip.compress(body), headers={"content-encoding": "gzip"}
        )
        assert fine.status_code == 200
    assert ran == [body]  # only the valid request reached GraphQL, inflated

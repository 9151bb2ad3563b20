"""Traffic shaping per subgraph (supergraph/runtime/fetching/traffic.py), through the real gateway
over real sockets, with a fault-injecting TCP proxy in front of a fixture subgraph: it
answers 503, drops the connection, hangs, or passes requests on (127.0.0.1 only).
Every time bound is asserted."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
from federated_subgraph import FederatedSubgraph, Server
from fixture_graphs import BUILDERS, supergraph_sdl

from supergraph.runtime import create_app
from supergraph.runtime.fetching.traffic import SubgraphTraffic, TrafficPolicy


class FaultProxy:
    """HTTP/1.1 keep-alive proxy to `upstream`; each request takes the next mode of
    `script` (then `default`): pass, 503, drop (close, no answer) or hang."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.script: deque[str] = deque()
        self.default = "pass"
        self.delay = 0.0
        self.requests = 0
        self.active = 0
        self.max_active = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._server: asyncio.Server | None = None
        self.url = ""

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/graphql"

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                try:
                    request = await _read_message(reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                self.requests += 1
                mode = self.script.popleft() if self.script else self.default
                if mode == "drop":
                    return
                if mode == "hang":
                    await asyncio.Event().wait()
                if mode == "503":
                    writer.write(
                        b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\n\r\nbusy"
                    )
                    await writer.drain()
                    continue
                self.active += 1
                self.max_active = max(self.max_active, self.active)
                try:
                    if self.delay:
                        await asyncio.sleep(self.delay)
                    writer.write(await self._forward(request))
                    await writer.drain()
                finally:
                    self.active -= 1
        finally:
            writer.close()
            self._tasks.discard(task)

    async def _forward(self, request: bytes) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            writer.write(request)
            await writer.drain()
            return await _read_message(reader)
        finally:
            writer.close()


async def _read_message(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return head + await reader.readexactly(length)


@dataclass
class Shop:
    """The shop fixture graph with a fault proxy in front of `reviews`."""

    client: httpx.AsyncClient
    url: str
    app: Any
    proxy: FaultProxy
    reviews: FederatedSubgraph

    def shape(self, **reviews: Any) -> None:
        policy = TrafficPolicy(SubgraphTraffic(), {"reviews": SubgraphTraffic(**reviews)})
        self.app.state.gateway.fetcher.configure_traffic(policy)

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        body = orjson.dumps({"query": query, "variables": variables or {}})
        response = await self.client.post(
            self.url, content=body, headers={"content-type": "application/json"}
        )
        return response.json()


@pytest.fixture
async def shop() -> AsyncIterator[Shop]:
    subgraphs = BUILDERS["shop"]()
    servers = [Server(s.app) for s in subgraphs.values()]
    await asyncio.gather(*(s.start() for s in servers))
    urls = {n: s.url for n, s in zip(subgraphs, servers, strict=True)}
    proxy = FaultProxy(servers[list(subgraphs).index("reviews")].port)
    await proxy.start()
    urls["reviews"] = proxy.url
    app = create_app(
        supergraph_sdl("shop"), subgraph_urls=urls, profile="development", rate_limits=None
    )
    gateway = Server(app, lifespan="on")
    await gateway.start()
    client = httpx.AsyncClient(timeout=30)
    try:
        yield Shop(client, gateway.url, app, proxy, subgraphs["reviews"])
    finally:
        await client.aclose()
        await proxy.stop()
        await gateway.stop()
        await asyncio.gather(*(s.stop() for s in servers))


LATEST = "{ latestReviews { body } }"
MIXED = '{ me { name } product(upc: "1") { topReview { body } } }'
ADD = 'mutation { addReview(upc: "1", body: "ok") { body } }'


def _codes(result: Any) -> list[str]:
    return [e["extensions"]["code"] for e in result.get("errors") or ()]


async def test_a_query_is_retried_after_a_503_and_a_dropped_connection(shop: Shop) -> None:
    shop.shape(retry_backoff=0.01)
    shop.proxy.script.extend(["503", "drop"])
    began = time.monotonic()
    result = await shop.query(LATEST)
    assert "errors" not in result and result["data"]["latestReviews"]
    assert shop.proxy.requests == 3 and time.monotonic() - began < 1.0


async def test_a_mutation_is_never_retried(shop: Shop) -> None:
    shop.shape(retry_backoff=0.01)
    shop.proxy.script.append("503")
    result = await shop.query(ADD)
    assert _codes(result) == ["SUBREQUEST_HTTP_ERROR"]
    assert shop.proxy.requests == 1


async def test_a_mutation_without_an_answer_may_have_been_applied(shop: Shop) -> None:
    shop.shape(request_timeout=0.3)
    shop.proxy.script.append("hang")
    began = time.monotonic()
    result = await shop.query(ADD)
    assert time.monotonic() - began < 1.5
    [error] = result["errors"]
    assert error["extensions"]["code"] == "OUTCOME_UNKNOWN"
    assert "may have been applied" in error["message"] and shop.proxy.requests == 1


async def test_retries_stay_within_the_budget(shop: Shop) -> None:
    shop.shape(retry_backoff=0.001, retry_budget_percent=0.2, retry_budget_min_per_second=0,
               breaker_failures=0)  # fmt: skip
    shop.proxy.default = "503"
    for _ in range(30):
        assert _codes(await shop.query(LATEST)) == ["SUBREQUEST_HTTP_ERROR"]
    # without a budget: 30 x 3 = 90 requests; with it, 30 + at most 20 % of them
    assert 30 < shop.proxy.requests <= 36


async def test_a_slow_subgraph_times_out_on_its_own_timeout(shop: Shop) -> None:
    shop.shape(request_timeout=0.25)
    shop.proxy.delay = 3.0
    began = time.monotonic()
    result = await shop.query(MIXED)
    assert time.monotonic() - began < 1.0
    assert result["data"]["me"] == {"name": "Ada Lovelace"}
    assert _codes(result) == ["SUBREQUEST_HTTP_ERROR"]


async def test_connect_timeout(shop: Shop) -> None:
    """A listener whose backlog is full drops new SYNs: the connect itself hangs."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        s = socket.socket()
        s.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            s.connect(("127.0.0.1", port))
        fillers.append(s)
    await asyncio.sleep(0.2)
    shop.app.state.gateway.urls["reviews"] = f"http://127.0.0.1:{port}/graphql"
    shop.app.state.gateway.executor.urls["reviews"] = f"http://127.0.0.1:{port}/graphql"
    shop.shape(connect_timeout=0.3, request_timeout=10, retries=0)
    try:
        began = time.monotonic()
        result = await shop.query(LATEST)
        took = time.monotonic() - began
    finally:
        for s in [*fillers, listener]:
            s.close()
    [error] = result["errors"]
    assert "could not connect within 0.3 s" in error["message"], error
    assert took < 2.0


async def test_the_breaker_opens_answers_at_once_then_half_opens(shop: Shop) -> None:
    shop.shape(breaker_failures=3, breaker_open_seconds=0.5, retries=0)
    shop.proxy.default = "503"
    for _ in range(3):
        assert _codes(await shop.query(LATEST)) == ["SUBREQUEST_HTTP_ERROR"]
    began = time.monotonic()
    result = await shop.query(MIXED)
    assert time.monotonic() - began < 0.2
    # the other subgraphs answer; the error sits at the field the open subgraph serves
    assert result["data"] == {"me": {"name": "Ada Lovelace"}, "product": {"topReview": None}}
    [error] = result["errors"]
    assert error["path"] == ["product"]
    assert error["extensions"] == {"code": "SUBREQUEST_CIRCUIT_OPEN", "service": "reviews"}
    assert "circuit open" in error["message"] and shop.proxy.requests == 3
    assert shop.app.state.gateway.fetcher.breaker_states()["reviews"] == "open"

    await asyncio.sleep(0.6)  # half-open: one probe; it succeeds and closes the breaker
    shop.proxy.default = "pass"
    assert "errors" not in await shop.query(LATEST)
    assert shop.app.state.gateway.fetcher.breaker_states()["reviews"] == "closed"


async def test_identical_queries_in_flight_are_sent_once(shop: Shop) -> None:
    shop.proxy.delay = 0.3
    results = await asyncio.gather(*(shop.query(LATEST) for _ in range(10)))
    assert all("errors" not in r for r in results) and shop.proxy.requests == 1

    shop.shape(dedup=False)
    await asyncio.gather(*(shop.query(LATEST) for _ in range(5)))
    assert shop.proxy.requests == 1 + 5


async def test_mutations_are_never_deduplicated(shop: Shop) -> None:
    shop.proxy.delay = 0.2
    await asyncio.gather(*(shop.query(ADD) for _ in range(3)))
    assert shop.proxy.requests == 3


async def test_connections_per_subgraph_are_capped(shop: Shop) -> None:
    shop.shape(max_connections=2, dedup=False)
    shop.proxy.delay = 0.2
    began = time.monotonic()
    await asyncio.gather(*(shop.query(LATEST) for _ in range(6)))
    took = time.monotonic() - began
    assert shop.proxy.max_active == 2 and shop.proxy.requests == 6
    assert 0.55 < took < 2.0

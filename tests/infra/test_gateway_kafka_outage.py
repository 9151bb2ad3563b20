"""`pos gateway` serves whatever Kafka does (issue 11).

The real command, as a process: a supergraph without `@eventSource` starts and answers
with the broker down and with it up (it never touches Kafka); a supergraph with event-fed
fields starts with its broker down, answers queries, refuses new event-fed subscriptions
with EVENT_FEED_UNAVAILABLE, and once the broker comes up delivers events without a
restart. The broker that is down and then started is a private one (own ports and folder),
never the shared one.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from eventbus.envelope import Envelope
from eventbus.transports.kafka import KafkaTransport
from pos.infra import InfraConfig, start_service, stop_service
from supergraph.composition import Subgraph, compose
from tests.e2e.pos_process import free_port
from tests.supergraph.fixtures.federated_subgraph import FederatedSubgraph, Server

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]
ORDERING_SDL = ROOT / "tests" / "supergraph" / "subscriptions" / "sdl" / "ordering.graphql"
PLAIN_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
type Product @key(fields: "id") { id: ID! name: String! }
type Query { product(id: ID!): Product }
"""
StartGateway = Callable[[Path, str], Awaitable[str]]
ORDER = {"__typename": "Order", "id": "o-1", "number": "N1", "customerId": "c-1"}


def _supergraph(tmp_path: Path, name: str, sdl: str, url: str) -> Path:
    composed = compose([Subgraph(name, url, sdl)])
    assert composed.ok and composed.supergraph_sdl, composed.errors
    path = tmp_path / f"{name}.graphql"
    path.write_text(composed.supergraph_sdl)
    return path


@pytest.fixture
async def gateway_process(tmp_path: Path) -> AsyncIterator[StartGateway]:
    """Starts `pos gateway` with a supergraph and a broker address; stops it after."""
    processes: list[asyncio.subprocess.Process] = []

    async def start(supergraph: Path, bootstrap: str) -> str:
        port = free_port()
        env = {
            **os.environ,
            "POS_KAFKA_BOOTSTRAP": bootstrap,
            "POS_DATA_DIR": str(tmp_path / "data"),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "pos.cli", "gateway", "--supergraph", str(supergraph),
            "--port", str(port), "--log-level", "warning", "--rate-limit", "0",
            cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL,
            stderr=open(tmp_path / f"gateway-{port}.log", "wb"),  # noqa: SIM115
        )  # fmt: skip
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=5) as client:
            async with asyncio.timeout(60):
                while True:
                    if process.returncode is not None:
                        log = (tmp_path / f"gateway-{port}.log").read_text()
                        raise AssertionError(f"pos gateway exited {process.returncode}:\n{log}")
                    try:
                        if (await client.get("/health")).is_success:
                            return base
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)

    yield start
    for process in processes:
        if process.returncode is None:
            process.terminate()
            async with asyncio.timeout(20):
                await process.wait()


async def _query(base: str, query: str) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        response = await client.post("/graphql", json={"query": query})
    result: dict[str, object] = response.json()
    return result


async def _sse_results(base: str, query: str, count: int, timeout: float) -> list[Any]:
    """The first `count` results of a subscription over GraphQL over SSE."""
    out: list[Any] = []
    headers = {"accept": "text/event-stream", "content-type": "application/json"}
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as client:
        async with asyncio.timeout(timeout):
            async with client.stream(
                "POST", "/graphql", content=orjson.dumps({"query": query}), headers=headers
            ) as response:
                async for line in response.aiter_lines():
                    if line.startswith("data:") and line[5:].strip():
                        out.append(orjson.loads(line[5:]))
                        if len(out) == count:
                            break
    return out


def _closed_port() -> str:
    return f"127.0.0.1:{free_port()}"


@pytest.mark.parametrize("broker", ["down", "up"])
async def test_a_supergraph_without_event_sources_starts_whatever_kafka_does(
    broker: str, gateway_process: StartGateway, tmp_path: Path
) -> None:
    products = FederatedSubgraph(
        "products", PLAIN_SDL, records={"Query": [{"product": {"id": "p-1", "name": "Tea"}}]}
    )
    server = Server(products.app)
    await server.start()
    try:
        supergraph = _supergraph(tmp_path, "products", PLAIN_SDL, server.url)
        bootstrap = (
            _closed_port()
            if broker == "down"
            else os.environ.get("POS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
        )
        base = await gateway_process(supergraph, bootstrap)
        result = await _query(base, '{ product(id: "p-1") { name } }')
        assert result == {"data": {"product": {"name": "Tea"}}}
        async with httpx.AsyncClient(base_url=base) as client:
            assert (await client.get("/health")).json() == {"status": "ok"}
    finally:
        await server.stop()


@pytest.fixture
async def private_kafka(private_dir: Path) -> AsyncIterator[InfraConfig]:
    """A private broker's config, not started: the test starts it when it wants."""
    config = InfraConfig.isolated(private_dir)
    yield config
    await asyncio.to_thread(stop_service, "kafka", config)


async def test_event_fed_fields_with_the_broker_down_serve_refuse_and_recover(
    private_kafka: InfraConfig, gateway_process: StartGateway, tmp_path: Path
) -> None:
    ordering = FederatedSubgraph(
        "ordering",
        ORDERING_SDL.read_text(),
        records={
            "Query": [{"order": {**ORDER, "status": "PAID", "version": 9}}],
            "Order": [{**ORDER, "status": "PAID", "version": 9}],
        },
    )
    server = Server(ordering.app)
    await server.start()
    try:
        supergraph = _supergraph(tmp_path, "ordering", ORDERING_SDL.read_text(), server.url)
        bootstrap = private_kafka.kafka_bootstrap
        began = time.monotonic()
        base = await gateway_process(supergraph, bootstrap)
        assert time.monotonic() - began < 30

        # the broker is down: queries are answered ...
        result = await _query(base, '{ order(id: "o-1") { number status } }')
        assert result == {"data": {"order": {"number": "N1", "status": "PAID"}}}
        async with httpx.AsyncClient(base_url=base) as client:
            health = (await client.get("/health")).json()
        assert health == {"status": "ok", "eventFeed": "connecting"}
        # ... and a new event-fed subscription is refused at once, with a code and a reason
        subscription = 'subscription { orderStatusChanged(orderId: "o-1") { status } }'
        began = time.monotonic()
        [refused] = await _sse_results(base, subscription, 1, 10)
        assert time.monotonic() - began < 2
        [error] = refused["errors"]
        assert error["extensions"]["code"] == "EVENT_FEED_UNAVAILABLE"
        assert "queries and mutations still work" in error["message"]

        # the broker comes up: the feed connects by itself
        await asyncio.to_thread(start_service, "kafka", private_kafka)
        async with httpx.AsyncClient(base_url=base) as client:
            async with asyncio.timeout(90):
                while (await client.get("/health")).json().get("eventFeed") != "connected":
                    await asyncio.sleep(0.25)

        publisher = KafkaTransport(bootstrap, client_id="outage-test", request_timeout_ms=5000)
        event = Envelope(
            type="pos.ordering.OrderPaid.v1",
            source="ordering",
            subject="o-1",
            data={},
            stream_version=3,
        )

        async def publish_soon() -> None:
            await asyncio.sleep(1.0)  # after the subscription below has started
            await publisher.publish("pos.ordering", [event])

        try:
            publishing = asyncio.create_task(publish_soon())
            results = await _sse_results(base, subscription, 1, 30)
            await publishing
        finally:
            await publisher.stop()
        assert results == [{"data": {"orderStatusChanged": {"status": "PAID"}}}]
    finally:
        await server.stop()

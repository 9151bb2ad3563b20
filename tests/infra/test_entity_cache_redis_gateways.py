"""Two `pos gateway --entity-cache redis` processes over the same subgraphs, the shared
Kafka and the shared Redis (`pos infra up`): what one fetched the other serves from
Redis, and a price event on Kafka reaches both (each process's feed invalidates).

The topic is private to the test (no other consumer sees its events), which also gives
the supergraph a namespace in Redis of its own."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
import redis.asyncio as aioredis

from eventbus.envelope import Envelope
from eventbus.transports.kafka import KafkaTransport
from pos.settings import Settings
from supergraph.runtime.caching.entity_cache_feed import supergraph_namespace
from tests.e2e.pos_process import free_port
from tests.eventbus.fixtures_bus import kafka_bootstrap

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "supergraph" / "fixtures"))  # as their conftest does

from federated_subgraph import Server  # noqa: E402
from planning_graphs import ENTITY_CACHE_PRICES, PLANNING, PLANNING_BUILDERS  # noqa: E402

pytestmark = pytest.mark.services

PRICES = "{ products { id price } }"
Start = Callable[[Path, dict[str, str]], Awaitable[str]]


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Start]:
    """Starts `pos gateway --entity-cache redis` (default URL: POS_REDIS_URL)."""
    processes: list[asyncio.subprocess.Process] = []

    async def start(supergraph: Path, urls: dict[str, str]) -> str:
        port = free_port()
        log = tmp_path / f"gateway-{port}.log"
        env = {
            **os.environ,
            "POS_KAFKA_BOOTSTRAP": kafka_bootstrap(),
            "POS_DATA_DIR": str(tmp_path / "data"),  # one identity key: one cache identity
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "pos.cli", "gateway", "--supergraph", str(supergraph),
            "--port", str(port), "--log-level", "warning", "--rate-limit", "0",
            "--entity-cache", "redis",
            *(a for name, url in urls.items() for a in ("--subgraph-url", f"{name}={url}")),
            cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL,
            stderr=open(log, "wb"),  # noqa: SIM115
        )  # fmt: skip
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=5) as client:
            async with asyncio.timeout(60):
                while True:
                    if process.returncode is not None:
                        raise AssertionError(f"pos gateway exited:\n{log.read_text()}")
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


async def _query(base: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        response = await client.post("/graphql", json={"query": PRICES})
    result: dict[str, Any] = response.json()
    return result


def _prices(**by_id: int) -> dict[str, Any]:
    return {"data": {"products": [{"id": k, "price": v} for k, v in by_id.items()]}}


async def test_two_pos_gateways_share_entries_in_redis_and_both_see_the_event(
    gateway: Start, tmp_path: Path
) -> None:
    topic = f"shop.prices{uuid4().hex[:10]}"
    sdl = (PLANNING / "entity_cache" / "supergraph.graphql").read_text()
    sdl = sdl.replace('topic: "shop.prices"', f'topic: "{topic}"')
    supergraph = tmp_path / "supergraph.graphql"
    supergraph.write_text(sdl)
    ENTITY_CACHE_PRICES.clear()
    ENTITY_CACHE_PRICES.update({"p1": 30, "p2": 900, "p3": 5})
    subgraphs = PLANNING_BUILDERS["entity_cache"]()
    servers = {name: Server(s.app) for name, s in subgraphs.items()}
    await asyncio.gather(*(s.start() for s in servers.values()))
    publisher = KafkaTransport(kafka_bootstrap(), client_id="entity-cache-redis")
    store = aioredis.Redis.from_url(Settings.from_env().redis_url)
    received = subgraphs["prices"].received
    try:
        await publisher.ensure_topics([topic])
        urls = {name: s.url for name, s in servers.items()}
        a, b = await asyncio.gather(gateway(supergraph, urls), gateway(supergraph, urls))

        assert await _query(a) == _prices(p1=30, p2=900, p3=5)
        assert len(received) == 1
        ENTITY_CACHE_PRICES["p2"] = 850  # no event yet: both answer what A stored
        assert await _query(b) == _prices(p1=30, p2=900, p3=5)
        assert len(received) == 1, "B answered from Redis"
        namespace = supergraph_namespace(sdl)
        keys = [k async for k in store.scan_iter(match=f"pos:entity-cache:{namespace}:e:*")]
        assert len(keys) == 3, keys  # one entry per product, under the default prefix

        await asyncio.sleep(1.0)  # both feeds positioned before the event
        event = Envelope(
            type="shop.prices.PriceChanged.v1",
            source="prices",
            subject="p2",
            data={},
            stream_version=2,
        )
        await publisher.publish(topic, [event])
        started = time.monotonic()
        fresh = _prices(p1=30, p2=850, p3=5)
        while not (await _query(a) == fresh and await _query(b) == fresh):
            assert time.monotonic() - started < 15, "the event did not reach both"
            await asyncio.sleep(0.1)
    finally:
        await store.aclose()
        await asyncio.gather(*(s.stop() for s in servers.values()))

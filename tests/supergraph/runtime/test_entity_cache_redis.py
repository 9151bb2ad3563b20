"""The entity cache on Redis through real gateways: two instances sharing one Redis (a
miss filled on A is a hit on B; an event drops the entry for both, each instance's feed
invalidating it), and a Redis stopped under a running gateway (answers come from the
subgraphs, in bounded time, one log line; the cache is used again once Redis is back).

The shared tests use the redis-server `pos infra up` starts (POS_REDIS_URL), each under a
prefix of its own; the outage test starts and stops a private one (pos.infra, own port)."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from federated_subgraph import Server
from gateway_harness import RunningGraph
from planning_graphs import ENTITY_CACHE_PRICES, PLANNING, run_planning_graph

from eventbus.envelope import Envelope
from eventbus.transports.inprocess import InProcessTransport
from pos.infra import InfraConfig, log_tail, start_service, stop_service
from pos.settings import Settings
from supergraph.runtime import create_app
from supergraph.runtime.caching.entity_cache_feed import EntityCacheOptions
from supergraph.runtime.caching.redis_store import RedisStore

PRICES = "{ products { id price } }"
SDL = (PLANNING / "entity_cache" / "supergraph.graphql").read_text()


def options(
    url: str | None = None, prefix: str | None = None, timeout: float = 2.0
) -> EntityCacheOptions:
    """Redis options; the long timeout keeps a loaded test machine from looking like an
    outage (test_redis_store.py checks the timeout against a Redis that never answers)."""
    return EntityCacheOptions(
        store="redis",
        settle=0.0,
        redis_url=url or Settings.from_env().redis_url,
        redis_prefix=prefix or f"pos:test:{uuid.uuid4().hex}:",
        redis_timeout=timeout,
    )


def prices(**by_id: int) -> dict[str, Any]:
    return {"data": {"products": [{"id": k, "price": v} for k, v in by_id.items()]}}


def entity_calls(g: RunningGraph) -> int:
    return sum("_entities" in r["query"] for r in g.subgraphs["prices"].received)


@asynccontextmanager
async def two_gateways(
    cache: EntityCacheOptions,
) -> AsyncIterator[tuple[RunningGraph, str, InProcessTransport]]:
    """Gateway A (the harness's) and gateway B over the same subgraphs, one bus, one
    Redis: B's address is returned beside A's graph."""
    ENTITY_CACHE_PRICES.clear()
    ENTITY_CACHE_PRICES.update({"p1": 30, "p2": 900, "p3": 5})
    bus = InProcessTransport()
    async with run_planning_graph("entity_cache", event_transport=bus, entity_cache=cache) as a:
        b = Server(
            create_app(
                SDL,
                subgraph_urls=a.urls,
                event_transport=bus,
                entity_cache=cache,
                profile="development",
            ),
            lifespan="on",
        )
        await b.start()
        try:
            yield a, b.url, bus
        finally:
            await b.stop()


async def query(g: RunningGraph, url: str, text: str) -> dict[str, Any]:
    response = await g.client.post(url, json={"query": text})
    body: dict[str, Any] = response.json()
    return body


async def metrics(g: RunningGraph) -> dict[str, float]:
    """The gateway's pos_gateway_entity_cache_* samples from GET /metrics."""
    text = (await g.client.get(g.gateway_url.replace("/graphql", "/metrics"))).text
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("pos_gateway_entity_cache_"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


async def until(check: Any, timeout: float = 5.0) -> float:
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < timeout, "not in time"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_a_miss_filled_on_one_instance_is_a_hit_on_the_other() -> None:
    async with two_gateways(options()) as (a, b_url, _bus):
        assert await a.query(PRICES) == prices(p1=30, p2=900, p3=5)
        assert entity_calls(a) == 1
        ENTITY_CACHE_PRICES["p1"] = 31  # no event: whoever answers from the cache says 30
        assert await query(a, b_url, PRICES) == prices(p1=30, p2=900, p3=5)
        assert entity_calls(a) == 1, "B answered from what A stored"
        assert len(a.requests_to("products")) == 2  # B did ask products (not cacheable)


async def test_an_event_invalidates_the_entry_for_both_instances() -> None:
    cache = options()
    async with two_gateways(cache) as (a, b_url, bus):
        await a.query(PRICES)
        assert await query(a, b_url, PRICES) == prices(p1=30, p2=900, p3=5)
        ENTITY_CACHE_PRICES["p2"] = 850  # the read model first, then the event
        await bus.publish(
            "shop.prices",
            [
                Envelope(
                    type="shop.prices.PriceChanged.v1",
                    source="prices",
                    subject="p2",
                    data={},
                    stream_version=2,
                )
            ],
        )
        fresh = prices(p1=30, p2=850, p3=5)

        async def both_fresh() -> bool:
            return await query(a, b_url, PRICES) == fresh and await a.query(PRICES) == fresh

        await until(both_fresh, timeout=2.0)
        a_cache = a.servers[0].app.state.entity_cache
        assert a_cache.stats.invalidations >= 1
        # both feeds invalidated the same tag; the second found nothing, harmlessly, and
        # the refilled entry is served to both again
        calls = entity_calls(a)
        assert await a.query(PRICES) == fresh and await query(a, b_url, PRICES) == fresh
        assert entity_calls(a) == calls


async def test_redis_stopped_under_a_running_gateway(
    tmp_path: Path, caplog: Any
) -> None:  # fmt: skip
    config = InfraConfig.isolated(tmp_path / "var")
    start_service("redis", config)
    caplog.set_level(logging.WARNING, "supergraph.runtime.caching.redis_store")
    try:
        cache = options(url=config.redis_url, timeout=1.0)  # a stopped Redis refuses at once
        async with two_gateways(cache) as (a, _b_url, _bus):
            store = a.servers[0].app.state.entity_cache.store
            assert isinstance(store, RedisStore)
            await a.query(PRICES)
            await a.query(PRICES)
            assert entity_calls(a) == 1
            seen = await metrics(a)
            assert seen["pos_gateway_entity_cache_store_available"] == 1
            assert seen["pos_gateway_entity_cache_hits_total"] == 3

            assert stop_service("redis", config), log_tail("redis", config)
            ENTITY_CACHE_PRICES["p3"] = 6
            started = time.monotonic()
            for _ in range(10):
                assert await a.query(PRICES) == prices(p1=30, p2=900, p3=6)
            took = time.monotonic() - started
            assert took < 3.0, f"10 queries took {took:.2f}s with Redis down"
            assert entity_calls(a) == 11, "every query went to the subgraph"
            assert not store.available and store.stats.unavailable == 1
            down_lines = [r for r in caplog.records if "unavailable" in r.getMessage()]
            assert len(down_lines) == 1, "one line per state change, not per request"
            seen = await metrics(a)
            assert seen["pos_gateway_entity_cache_store_available"] == 0
            assert seen["pos_gateway_entity_cache_store_errors_total"] >= 1
            assert seen["pos_gateway_entity_cache_store_skipped_total"] >= 1

            start_service("redis", config)  # empty (no persistence), and used again

            async def cached_again() -> bool:
                before = entity_calls(a)
                await a.query(PRICES)
                await a.query(PRICES)
                return entity_calls(a) - before <= 1

            await until(cached_again, timeout=5.0)
            assert store.available
            assert any("is back" in r.getMessage() for r in caplog.records)
            assert (await metrics(a))["pos_gateway_entity_cache_store_available"] == 1
    finally:
        stop_service("redis", config)


async def test_instances_on_different_supergraphs_never_share_entries() -> None:
    async with two_gateways(options()) as (a, b_url, _bus):
        await a.query(PRICES)
        a.servers[0].app.state.reload(SDL + "\n# the next version\n")  # another hash
        ENTITY_CACHE_PRICES["p1"] = 31
        assert await a.query(PRICES) == prices(p1=31, p2=900, p3=5)
        assert entity_calls(a) == 2, "the reloaded supergraph started empty"
        # B still serves the first supergraph: its entries, not the new one's
        assert await query(a, b_url, PRICES) == prices(p1=30, p2=900, p3=5)
        assert entity_calls(a) == 2

"""The entity cache through the gateway: fixture subgraphs on real sockets, events on the
in-process bus (planning/entity_cache: `prices` declares Product, Shelf and
Query.cheapest `@cacheable`; Product and cheapest are invalidated by PriceChanged).

Every test through `graph()` runs on both stores: in memory, and on the real Redis at
POS_REDIS_URL (`pos infra up`), under a prefix of its own."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from gateway_harness import RunningGraph
from planning_graphs import ENTITY_CACHE_PRICES, PLANNING, run_planning_graph

from eventbus.envelope import Envelope
from eventbus.transports.inprocess import InProcessTransport
from pos.settings import Settings
from supergraph.runtime import create_app
from supergraph.runtime.caching.entity_cache_feed import EntityCacheOptions

PRICES = "query ($n: Int) { products(first: $n) { id price } }"
CHANGED = "shop.prices.PriceChanged.v1"
_STORE = ["memory"]


@pytest.fixture(autouse=True, params=["memory", "redis"])
def store_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """The store `graph()` uses in this test."""
    _STORE[0] = request.param
    yield request.param
    _STORE[0] = "memory"


@asynccontextmanager
async def graph(settle: float = 0.0, **options: Any) -> AsyncIterator[tuple[RunningGraph, Any]]:
    ENTITY_CACHE_PRICES.clear()
    ENTITY_CACHE_PRICES.update({"p1": 30, "p2": 900, "p3": 5})
    bus = InProcessTransport()
    cache = EntityCacheOptions(
        store=_STORE[0],
        settle=settle,
        redis_url=Settings.from_env().redis_url,
        redis_prefix=f"pos:test:{uuid.uuid4().hex}:",
        redis_timeout=2.0,  # a loaded test machine: these tests are about hits, not outages
    )
    options.setdefault("entity_cache", cache)
    async with run_planning_graph(
        "entity_cache", event_transport=bus, forward_headers=("x-shop",), **options
    ) as g:
        yield g, bus


def entity_calls(g: RunningGraph) -> list[list[dict[str, Any]]]:
    """The representations of every `_entities` request prices received."""
    return [
        r["variables"]["representations"]
        for r in g.subgraphs["prices"].received
        if "_entities" in r["query"]
    ]


async def price_changed(bus: InProcessTransport, product: str, type_: str = CHANGED) -> None:
    await bus.publish(
        "shop.prices",
        [Envelope(type=type_, source="prices", subject=product, data={}, stream_version=2)],
    )


async def eventually(g: RunningGraph, query: str, wanted: dict[str, Any]) -> float:
    """Seconds until the gateway answers `wanted` (fails after 3 s)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while True:
        answer = await g.query(query)
        if answer == wanted:
            return loop.time() - start
        assert loop.time() - start < 3, answer
        await asyncio.sleep(0.01)


def prices(**by_id: int) -> dict[str, Any]:
    return {"data": {"products": [{"id": k, "price": v} for k, v in by_id.items()]}}


async def test_a_repeated_query_is_answered_from_the_cache(store_kind: str) -> None:
    async with graph() as (g, _bus):
        assert await g.query(PRICES) == prices(p1=30, p2=900, p3=5)
        ENTITY_CACHE_PRICES["p1"] = 31  # without an event: the cache still answers
        assert await g.query(PRICES) == prices(p1=30, p2=900, p3=5)
        assert len(entity_calls(g)) == 1
        assert len(g.requests_to("products")) == 2  # the root field is not cacheable
        scraped = (await g.client.get(g.gateway_url.replace("/graphql", "/metrics"))).text
        assert "pos_gateway_entity_cache_hits_total 3.0" in scraped
        assert "pos_gateway_entity_cache_misses_total 3.0" in scraped
        assert "pos_gateway_entity_cache_live 1.0" in scraped
        if store_kind == "memory":
            assert "pos_gateway_entity_cache_entries 3.0" in scraped
        else:
            assert "pos_gateway_entity_cache_store_available 1.0" in scraped


async def test_a_partial_hit_sends_only_the_misses_and_keeps_the_order() -> None:
    async with graph() as (g, _bus):
        assert await g.query(PRICES, {"n": 2}) == prices(p1=30, p2=900)
        assert await g.query(PRICES, {"n": 3}) == prices(p1=30, p2=900, p3=5)
        assert entity_calls(g) == [
            [{"__typename": "Product", "id": "p1"}, {"__typename": "Product", "id": "p2"}],
            [{"__typename": "Product", "id": "p3"}],
        ]
        assert await g.query(PRICES, {"n": 3}) == prices(p1=30, p2=900, p3=5)
        assert len(entity_calls(g)) == 2


async def test_an_event_invalidates_exactly_its_entity() -> None:
    async with graph() as (g, bus):
        await g.query(PRICES)
        ENTITY_CACHE_PRICES["p2"] = 850  # the read model first, then the event
        await price_changed(bus, "p2")
        took = await eventually(g, PRICES, prices(p1=30, p2=850, p3=5))
        assert took < 1.0
        assert entity_calls(g)[-1] == [{"__typename": "Product", "id": "p2"}]


async def test_an_event_of_another_type_invalidates_nothing() -> None:
    async with graph() as (g, bus):
        await g.query(PRICES)
        ENTITY_CACHE_PRICES["p2"] = 850
        await price_changed(bus, "p2", "shop.prices.PriceAudited.v1")
        await price_changed(bus, "p1")  # a later event, so the first was seen
        await eventually(g, PRICES, prices(p1=30, p2=900, p3=5))
        assert entity_calls(g)[-1] == [{"__typename": "Product", "id": "p1"}]


async def test_callers_with_different_identities_do_not_share_entries() -> None:
    async with graph() as (g, _bus):
        await g.query(PRICES, headers={"x-shop": "north"})
        await g.query(PRICES, headers={"x-shop": "south"})
        assert len(entity_calls(g)) == 2
        await g.query(PRICES, headers={"x-shop": "north"})
        assert len(entity_calls(g)) == 2


async def test_public_entries_are_shared_between_callers() -> None:
    shelves = "{ products { shelf { label } } }"
    async with graph() as (g, _bus):
        first = await g.query(shelves, headers={"x-shop": "north"})
        assert first["data"]["products"][0] == {"shelf": {"label": "Shelf s-p1"}}
        assert await g.query(shelves, headers={"x-shop": "south"}) == first
        assert len(entity_calls(g)) == 1


async def test_a_cacheable_root_field_is_cached_until_any_listed_event() -> None:
    cheapest = "{ cheapest { id price } }"
    async with graph() as (g, bus):
        assert await g.query(cheapest) == {"data": {"cheapest": {"id": "p3", "price": 5}}}
        ENTITY_CACHE_PRICES["p1"] = 1
        assert await g.query(cheapest) == {"data": {"cheapest": {"id": "p3", "price": 5}}}
        await price_changed(bus, "p1")
        await eventually(g, cheapest, {"data": {"cheapest": {"id": "p1", "price": 1}}})


async def test_answers_fetched_while_the_projection_may_lag_are_not_stored() -> None:
    async with graph(settle=0.5) as (g, bus):
        await g.query(PRICES)
        await price_changed(bus, "p2")  # the read model is not updated yet
        await eventually(g, PRICES, prices(p1=30, p2=900, p3=5))
        calls = len(entity_calls(g))
        await asyncio.sleep(0.02)
        # the projection catches up: within the settle time nothing old was kept
        ENTITY_CACHE_PRICES["p2"] = 850
        assert await g.query(PRICES) == prices(p1=30, p2=850, p3=5)
        assert len(entity_calls(g)) == calls + 1
        await asyncio.sleep(0.5)
        assert await g.query(PRICES) == prices(p1=30, p2=850, p3=5)
        assert await g.query(PRICES) == prices(p1=30, p2=850, p3=5)
        assert len(entity_calls(g)) == calls + 2  # settled: stored once, then served


async def test_off_without_an_event_bus_or_when_asked() -> None:
    sdl = (PLANNING / "entity_cache" / "supergraph.graphql").read_text()
    urls = {"products": "http://127.0.0.1:9/graphql", "prices": "http://127.0.0.1:9/graphql"}
    assert create_app(sdl, subgraph_urls=urls).state.entity_cache is None
    off = create_app(
        sdl, subgraph_urls=urls, event_transport=InProcessTransport(), entity_cache="off"
    )
    assert off.state.entity_cache is None
    on = create_app(sdl, subgraph_urls=urls, event_transport=InProcessTransport())
    assert on.state.entity_cache is not None


def test_pos_gateway_takes_memory_redis_or_off(store_kind: str) -> None:
    from typer.testing import CliRunner

    from pos.cli import app

    if store_kind != "memory":
        return  # one run is enough: no store involved
    supergraph = str(PLANNING / "entity_cache" / "supergraph.graphql")
    args = ["gateway", "--supergraph", supergraph, "--no-subscriptions", "--entity-cache"]
    runner = CliRunner(env={"COLUMNS": "300"})  # rich's error box: one line per message
    result = runner.invoke(app, [*args, "disk"])
    assert result.exit_code == 2 and "expected memory, redis or off" in result.output
    result = runner.invoke(app, [*args, "memory", "--entity-cache-redis-url", "redis://x"])
    assert result.exit_code == 2 and "needs --entity-cache redis" in result.output
    result = runner.invoke(app, [*args, "redis", "--entity-cache-redis-url", "http://x"])
    assert result.exit_code == 2 and "expected redis://host:port/db" in result.output
    help_text = runner.invoke(app, ["gateway", "--help"]).output
    assert "--entity-cache-redis-url" in help_text and "--entity-cache-redis-prefix" in help_text
    result = runner.invoke(app, [*args, "off", "--entity-cache-redis-prefix", "shop1:"])
    assert result.exit_code == 2 and "needs --entity-cache redis" in result.output


def test_the_redis_options_reach_the_store(store_kind: str) -> None:
    from pos.commands.gateway_settings import entity_cache

    if store_kind != "memory":
        return
    chosen = entity_cache("redis", "redis://cache.internal:6380/2", "shop1:")
    assert isinstance(chosen, EntityCacheOptions)
    assert (chosen.redis_url, chosen.redis_prefix) == ("redis://cache.internal:6380/2", "shop1:")
    assert entity_cache("redis").redis_url == Settings.from_env().redis_url
    assert entity_cache("memory") == "memory"

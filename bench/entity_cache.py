"""The entity cache: throughput, hit rate and subgraph requests off, in memory and on Redis,
same run.

Usage: .venv/bin/python bench/entity_cache.py [--seconds 5] [--concurrency 20]
       [--subgraph-delay 0.01] [--change-every 0.5] [--instances 1] [--rounds 1]

The `entity_cache` fixture graph (tests/supergraph/fixtures/planning): `products` from one
subgraph, `price` from `prices` by `_entities` (`@cacheable`, invalidated by PriceChanged
on the in-process bus). `prices` waits `--subgraph-delay` seconds per request (a database
round trip). During the cached run a price changes and its event is published every
`--change-every` seconds, so the hit rate includes invalidations. The Redis run uses the
redis-server `pos infra up` starts (POS_REDIS_URL), under a prefix of its own.
`--instances N` runs N gateways on the same subgraphs and bus, the clients spread over
them: each has its own memory store, or all share the Redis one. Loopback
only, one process; prints requests/s, p99, prices requests, the hit rates and the speedups.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "supergraph" / "fixtures"))
sys.path.insert(0, str(ROOT))

from federated_subgraph import Server  # noqa: E402
from planning_graphs import ENTITY_CACHE_PRICES, PLANNING, run_planning_graph  # noqa: E402

from eventbus.envelope import Envelope  # noqa: E402
from eventbus.transports.inprocess import InProcessTransport  # noqa: E402
from pos.settings import Settings  # noqa: E402
from supergraph.runtime import create_app  # noqa: E402
from supergraph.runtime.caching.entity_cache_feed import EntityCacheOptions  # noqa: E402

QUERY = "{ products { id price } }"


async def run(store: str, args: argparse.Namespace) -> dict[str, Any]:
    ENTITY_CACHE_PRICES.clear()
    ENTITY_CACHE_PRICES.update({"p1": 30, "p2": 900, "p3": 5})
    bus = InProcessTransport()
    option: Any = "off"
    if store != "off":
        option = EntityCacheOptions(
            store=store,
            settle=0.2,
            redis_url=Settings.from_env().redis_url,
            redis_prefix=f"pos:bench:{uuid.uuid4().hex}:",
        )
    async with run_planning_graph(
        "entity_cache", event_transport=bus, entity_cache=option, rate_limits=None
    ) as g:
        g.subgraphs["prices"].delay = args.subgraph_delay
        sdl = (PLANNING / "entity_cache" / "supergraph.graphql").read_text()
        others = [
            Server(
                create_app(
                    sdl, subgraph_urls=g.urls, event_transport=bus, entity_cache=option,
                    rate_limits=None, profile="development",
                ),
                lifespan="on",
            )
            for _ in range(args.instances - 1 if store != "off" else 0)
        ]  # fmt: skip
        for other in others:
            await other.start()
        gateways = [g.gateway_url, *(o.url for o in others)]
        latencies: list[float] = []
        stop = time.monotonic() + args.seconds

        async def client(n: int) -> None:
            url = gateways[n % len(gateways)]
            while time.monotonic() < stop:
                start = time.monotonic()
                answer = (await g.client.post(url, json={"query": QUERY})).json()
                assert "errors" not in answer, answer
                latencies.append(time.monotonic() - start)

        async def changes() -> None:
            version = 1
            while time.monotonic() < stop:
                await asyncio.sleep(args.change_every)
                version += 1
                ENTITY_CACHE_PRICES["p1"] = 30 + version
                envelope = Envelope(
                    type="shop.prices.PriceChanged.v1",
                    source="prices",
                    subject="p1",
                    data={},
                    stream_version=version,
                )
                await bus.publish("shop.prices", [envelope])

        await asyncio.gather(changes(), *(client(n) for n in range(args.concurrency)))
        requests = len(g.subgraphs["prices"].received)
        caches = [
            s.app.state.entity_cache
            for s in (g.servers[0], *others)
            if s.app.state.entity_cache is not None
        ]
        hits = sum(c.stats.hits for c in caches)
        asked = hits + sum(c.stats.misses for c in caches)
        entity_hit_rate = hits / asked if asked else 0.0
        if caches:
            await caches[0].flush()  # the bench's entries leave Redis with it
        for other in others:
            await other.stop()
    latencies.sort()
    return {
        "rps": len(latencies) / args.seconds,
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "median_ms": 1000 * statistics.median(latencies),
        "prices_requests": requests,
        "operations": len(latencies),
        "entity_hit_rate": entity_hit_rate,
    }


def _median_run(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over the rounds (the request counts summed over them)."""
    out = {k: statistics.median(r[k] for r in results) for k in results[0]}
    out["prices_requests"] = sum(r["prices_requests"] for r in results)
    out["operations"] = sum(r["operations"] for r in results)
    return out


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--subgraph-delay", type=float, default=0.01)
    parser.add_argument("--change-every", type=float, default=0.5)
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument(
        "--rounds", type=int, default=1, help="off, memory, redis this many times, interleaved"
    )
    args = parser.parse_args()
    rounds: dict[str, list[dict[str, Any]]] = {"off": [], "memory": [], "redis": []}
    for _ in range(args.rounds):  # interleaved, so a burst of other load hits all three
        for store, results in rounds.items():
            results.append(await run(store, args))
    runs = {store: _median_run(results) for store, results in rounds.items()}
    if args.rounds > 1:
        print(f"medians of {args.rounds} interleaved rounds")
    plain = runs["off"]
    for name, r in runs.items():
        line = (
            f"{name:7} {r['rps']:8.1f} req/s  p99 {r['p99_ms']:6.1f} ms  "
            f"median {r['median_ms']:6.1f} ms  prices requests {r['prices_requests']:6.0f}"
        )
        if name != "off":
            hit_rate = 1 - r["prices_requests"] / max(r["operations"], 1)
            line += (
                f"  hit rate {hit_rate:6.1%} (operations), {r['entity_hit_rate']:6.1%} "
                f"(entities)  speedup {r['rps'] / plain['rps']:5.2f}x"
            )
        print(line)
    print(f"redis/memory throughput {runs['redis']['rps'] / runs['memory']['rps']:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())

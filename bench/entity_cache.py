"""The entity cache: throughput, hit rate and subgraph requests with and without, same run.

Usage: .venv/bin/python bench/entity_cache.py [--seconds 5] [--concurrency 20]
       [--subgraph-delay 0.01] [--change-every 0.5]

The `entity_cache` fixture graph (tests/supergraph/fixtures/planning): `products` from one
subgraph, `price` from `prices` by `_entities` (`@cacheable`, invalidated by PriceChanged
on the in-process bus). `prices` waits `--subgraph-delay` seconds per request (a database
round trip). During the cached run a price changes and its event is published every
`--change-every` seconds, so the hit rate includes invalidations. Loopback only, one
process; prints requests/s, p99, prices requests, the hit rate and the speedup.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "supergraph" / "fixtures"))
sys.path.insert(0, str(ROOT))

from planning_graphs import ENTITY_CACHE_PRICES, run_planning_graph  # noqa: E402

from eventbus.envelope import Envelope  # noqa: E402
from eventbus.transports.inprocess import InProcessTransport  # noqa: E402
from supergraph.runtime.caching.entity_cache_feed import EntityCacheOptions  # noqa: E402

QUERY = "{ products { id price } }"


async def run(cached: bool, args: argparse.Namespace) -> dict[str, Any]:
    ENTITY_CACHE_PRICES.clear()
    ENTITY_CACHE_PRICES.update({"p1": 30, "p2": 900, "p3": 5})
    bus = InProcessTransport()
    option: Any = EntityCacheOptions(settle=0.2) if cached else "off"
    async with run_planning_graph(
        "entity_cache", event_transport=bus, entity_cache=option, rate_limits=None
    ) as g:
        g.subgraphs["prices"].delay = args.subgraph_delay
        latencies: list[float] = []
        stop = time.monotonic() + args.seconds

        async def client() -> None:
            while time.monotonic() < stop:
                start = time.monotonic()
                answer = await g.query(QUERY)
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

        await asyncio.gather(changes(), *(client() for _ in range(args.concurrency)))
        requests = len(g.subgraphs["prices"].received)
    latencies.sort()
    return {
        "rps": len(latencies) / args.seconds,
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "median_ms": 1000 * statistics.median(latencies),
        "prices_requests": requests,
        "operations": len(latencies),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--subgraph-delay", type=float, default=0.01)
    parser.add_argument("--change-every", type=float, default=0.5)
    args = parser.parse_args()
    plain = await run(False, args)
    cached = await run(True, args)
    for name, r in (("no cache", plain), ("cache", cached)):
        print(
            f"{name:9} {r['rps']:8.1f} req/s  p99 {r['p99_ms']:6.1f} ms  "
            f"median {r['median_ms']:6.1f} ms  prices requests {r['prices_requests']}"
        )
    hit_rate = 1 - cached["prices_requests"] / max(cached["operations"], 1)
    print(f"hit rate (operations not reaching prices) {hit_rate:.1%}")
    print(f"speedup {cached['rps'] / plain['rps']:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())

"""`_entities` batching across requests: throughput with and without, same run.

Usage: .venv/bin/python bench/entity_batching.py [--seconds 8] [--concurrency 50]
       [--subgraph-delay 0.01] [--window 0.003]

The `requires_batch` fixture graph (tests/supergraph/fixtures/planning): `products` from
one subgraph, `isAvailable` from `stock` by `_entities`. The stock subgraph waits
`--subgraph-delay` seconds per request (a database round trip), whatever the number of
representations, so what batching saves is round trips. Deduplication is off in both
runs, so the comparison is batching alone. One gateway process, loopback only; each run
is bounded in time. Prints requests/s, p99 and how many stock requests were made, and the
ratio batched/unbatched.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "supergraph" / "fixtures"))
sys.path.insert(0, str(ROOT))

from federated_subgraph import Server  # noqa: E402
from planning_graphs import PLANNING, PLANNING_BUILDERS  # noqa: E402

from supergraph.runtime import create_app  # noqa: E402
from supergraph.runtime.fetching.traffic import TrafficPolicy  # noqa: E402

QUERY = {"query": "{ products { name isAvailable } }"}


async def run(window: float, seconds: float, concurrency: int, delay: float) -> dict[str, float]:
    subgraphs = PLANNING_BUILDERS["requires_batch"]()
    subgraphs["stock"].delay = delay
    servers = {name: Server(s.app) for name, s in subgraphs.items()}
    await asyncio.gather(*(s.start() for s in servers.values()))
    sdl = (PLANNING / "requires_batch" / "supergraph.graphql").read_text()
    app = create_app(
        sdl,
        subgraph_urls={n: s.url for n, s in servers.items()},
        profile="development",
        rate_limits=None,
        metrics=False,
    )
    app.state.gateway.fetcher.configure_traffic(
        TrafficPolicy.from_settings(["dedup=false", f"stock:batch_window={window}"])
    )
    gateway = Server(app, lifespan="on")
    await gateway.start()
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds
    try:
        async with httpx.AsyncClient(
            timeout=30, limits=httpx.Limits(max_connections=concurrency)
        ) as client:

            async def one_client() -> None:
                while time.perf_counter() < stop_at:
                    began = time.perf_counter()
                    response = await client.post(gateway.url, json=QUERY)
                    assert response.json()["data"]["products"][1]["isAvailable"] is False
                    latencies.append(time.perf_counter() - began)

            await asyncio.gather(*(one_client() for _ in range(concurrency)))
    finally:
        await gateway.stop()
        await asyncio.gather(*(s.stop() for s in servers.values()))
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1],
        "p50_ms": 1000 * statistics.median(latencies),
        "stock_requests": float(len(subgraphs["stock"].received)),
        "requests": float(len(latencies)),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--subgraph-delay", type=float, default=0.01)
    parser.add_argument("--window", type=float, default=0.003)
    args = parser.parse_args()
    results = {}
    for label, window in (("unbatched", 0.0), ("batched", args.window)):
        results[label] = await run(window, args.seconds, args.concurrency, args.subgraph_delay)
        r = results[label]
        print(
            f"{label:>10}: {r['rps']:7.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
            f"p99 {r['p99_ms']:6.1f} ms  stock requests {r['stock_requests']:.0f} "
            f"for {r['requests']:.0f} client requests"
        )
    ratio = results["batched"]["rps"] / results["unbatched"]["rps"]
    print(f"ratio batched/unbatched: {ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(main())

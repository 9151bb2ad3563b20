"""Gateway throughput: our gateway vs Apollo's @apollo/gateway, same subgraphs, same query.

Usage: .venv/bin/python bench/gateway.py [--seconds 10] [--concurrency 16] [--record]

Processes (all on 127.0.0.1, loopback only): the four `shop` fixture subgraphs in one
Python process, answering from a per-(query, variables) response cache so that the
gateways, not the subgraphs, are what is measured; our gateway (uvicorn, one process);
Apollo's gateway (node, tools/apollo/gateway.mjs); and this load generator: a bounded number
of concurrent clients, each sending the same operation back to back for a fixed time.
With --record, the result replaces the table under "## Gateway throughput" in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "supergraph" / "fixtures"
sys.path.insert(0, str(FIXTURES))

QUERY = """
query TopProducts {
  topProducts {
    name
    price
    inStock
    shippingEstimate
    reviews { body author { username name } }
  }
}
"""


def serve_subgraphs() -> None:
    """Child process: run the shop subgraphs with a response cache, print their URLs."""
    from federated_subgraph import Server
    from fixture_graphs import shop
    from starlette.requests import Request
    from starlette.responses import Response

    async def main() -> None:
        subgraphs = shop()
        servers = []
        for sub in subgraphs.values():
            cache: dict[bytes, bytes] = {}
            inner = sub.app

            async def app(
                scope: Any,
                receive: Any,
                send: Any,
                inner: Any = inner,
                cache: dict[bytes, bytes] = cache,
            ) -> None:
                if scope["type"] != "http":
                    await inner(scope, receive, send)
                    return
                request = Request(scope, receive)
                body = await request.body()
                found = cache.get(body)
                if found is None:
                    captured: dict[str, Any] = {}

                    async def replay() -> dict[str, Any]:
                        return {"type": "http.request", "body": body, "more_body": False}

                    async def capture(message: dict[str, Any]) -> None:
                        if message["type"] == "http.response.body":
                            captured["body"] = captured.get("body", b"") + message.get("body", b"")

                    await inner(scope, replay, capture)
                    found = cache[body] = captured.get("body", b"")
                await Response(found, media_type="application/json")(scope, receive, send)

            servers.append(Server(app))
        for s in servers:
            await s.start()
        urls = {name: s.url for name, s in zip(subgraphs, servers, strict=True)}
        print(orjson.dumps(urls).decode(), flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def serve_ours(port: int, urls: dict[str, str]) -> None:
    """Child process: our gateway under uvicorn on `port`."""
    import uvicorn

    from supergraph.runtime import create_app

    sdl = (FIXTURES / "graphs" / "shop" / "supergraph.graphql").read_text()
    app = create_app(sdl, subgraph_urls=urls, rate_limits=None)  # one client, full speed
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def _wait_ready(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                r = await client.post(url, json={"query": "{ __typename }"})
                if r.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


async def load(url: str, seconds: float, concurrency: int) -> dict[str, Any]:
    """Closed-loop load: `concurrency` clients for `seconds`; returns the raw latencies."""
    body = orjson.dumps({"query": QUERY, "operationName": "TopProducts"})
    headers = {"content-type": "application/json"}
    latencies: list[float] = []
    errors = 0
    reference: Any = None
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    transport = httpx.AsyncHTTPTransport(
        limits=limits, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    )
    async with httpx.AsyncClient(transport=transport, timeout=30) as client:
        warm = await client.post(url, content=body, headers=headers)
        reference = warm.json()
        for _ in range(50):
            await client.post(url, content=body, headers=headers)
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                r = await client.post(url, content=body, headers=headers)
                latencies.append(time.perf_counter() - start)
                if r.status_code != 200 or "errors" in r.json():
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"latencies": latencies, "elapsed": elapsed, "errors": errors, "response": reference}


ROUNDS = 4


def _combine(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = sorted(x for r in rounds for x in r["latencies"])
    elapsed = sum(r["elapsed"] for r in rounds)
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000,
        "requests": len(latencies),
        "errors": sum(r["errors"] for r in rounds),
        "response": rounds[0]["response"],
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def run(seconds: float, concurrency: int) -> dict[str, dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    py = sys.executable
    subs = subprocess.Popen(
        [py, __file__, "--serve-subgraphs"], stdout=subprocess.PIPE, env=env, text=True
    )
    procs: list[subprocess.Popen[Any]] = [subs]
    try:
        assert subs.stdout is not None
        urls = orjson.loads(subs.stdout.readline())
        our_port, apollo_port = _free_port(), _free_port()
        procs.append(
            subprocess.Popen(
                [py, __file__, "--serve-ours", str(our_port), orjson.dumps(urls).decode()],
                env=env,
            )
        )
        procs.append(
            subprocess.Popen(
                [
                    "node",
                    str(ROOT / "tools" / "apollo" / "gateway.mjs"),
                    str(FIXTURES / "graphs" / "shop" / "supergraph.graphql"),
                    str(apollo_port),
                    *(f"{k}={v}" for k, v in urls.items()),
                ],
                cwd=str(ROOT / "tools" / "apollo"),
                stdout=subprocess.DEVNULL,
            )
        )
        ours_url = f"http://127.0.0.1:{our_port}/graphql"
        apollo_url = f"http://127.0.0.1:{apollo_port}/graphql"
        await _wait_ready(ours_url)
        await _wait_ready(apollo_url)
        # alternate short rounds so both gateways see the same background load
        rounds: dict[str, list[dict[str, Any]]] = {"ours": [], "apollo": []}
        for _ in range(ROUNDS):
            rounds["ours"].append(await load(ours_url, seconds / ROUNDS, concurrency))
            rounds["apollo"].append(await load(apollo_url, seconds / ROUNDS, concurrency))
        results = {name: _combine(rs) for name, rs in rounds.items()}
        if results["ours"]["response"] != results["apollo"]["response"]:
            raise RuntimeError("the two gateways answered the benchmark query differently")
        return results
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(timeout=10)


def record(results: dict[str, dict[str, Any]], seconds: float, concurrency: int) -> str:
    ours, apollo = results["ours"], results["apollo"]
    ratio = ours["rps"] / apollo["rps"]
    today = dt.date.today().isoformat()
    section = (
        "## Gateway throughput\n\n"
        f"`bench/gateway.py` on {today}: shop fixture graph (4 subgraphs, 3 plan steps), "
        f"{concurrency} concurrent clients for {seconds:g} s per gateway (in {ROUNDS} "
        "alternating rounds), loopback, same cached subgraphs for both; 2-core machine "
        "shared with other work, so absolute numbers are noisy, the ratio less so.\n\n"
        "| gateway | requests/s | p50 ms | p99 ms |\n|---|---|---|---|\n"
        f"| ours (Python) | {ours['rps']:.0f} | {ours['p50_ms']:.1f} | {ours['p99_ms']:.1f} |\n"
        f"| @apollo/gateway 2.14.4 (Node) | {apollo['rps']:.0f} | {apollo['p50_ms']:.1f} | "
        f"{apollo['p99_ms']:.1f} |\n\n"
        f"Ratio ours / Apollo: **{ratio:.2f}x** ({today}).\n"
    )
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(r"## Gateway throughput\n.*?(?=\n## |\Z)", re.S)
    if pattern.search(text):
        text = pattern.sub(section.rstrip("\n") + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--serve-subgraphs", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-ours", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_subgraphs:
        serve_subgraphs()
        return
    if args.serve_ours:
        serve_ours(int(args.serve_ours[0]), orjson.loads(args.serve_ours[1]))
        return
    results = asyncio.run(run(args.seconds, args.concurrency))
    for name, r in results.items():
        print(
            f"{name:7} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
            f"p99 {r['p99_ms']:6.1f} ms  ({r['requests']} requests, {r['errors']} errors)"
        )
    print(f"ratio ours/apollo: {results['ours']['rps'] / results['apollo']['rps']:.2f}")
    if args.record:
        print(record(results, args.seconds, args.concurrency))


if __name__ == "__main__":
    main()

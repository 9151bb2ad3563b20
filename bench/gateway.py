"""Gateway throughput: our gateway vs Apollo's @apollo/gateway, same subgraphs, same query.

Usage: .venv/bin/python bench/gateway.py [--seconds 10] [--concurrency 16] [--record]
       .venv/bin/python bench/gateway.py --query heavy --concurrency 50 --pin \
           --gateways python,native,apollo

Processes (all on 127.0.0.1, loopback only): the four `shop` fixture subgraphs in one
Python process, answering from a per-(query, variables) response cache so that the
gateways, not the subgraphs, are what is measured; our gateway (uvicorn, one process,
once per variant: `python` with POS_GATEWAY_NATIVE=0, `native` with =1, `ours` as the
environment says); Apollo's gateway (node, tools/apollo/gateway.mjs); and this load
generator: a bounded number of concurrent clients, each sending the same operation back
to back for a fixed time. `--query heavy` is the nested query of the public
graphql-gateways-benchmark (users and topProducts, reviews, authors, their reviews'
products, fragments). `--pin` runs every gateway on core 0 (taskset) and the subgraphs
and this client on core 1, so each gateway gets one core to itself.
With --record, the result replaces the table under "## Gateway throughput" in BENCHMARKS.md
(the default light query and gateways only).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import orjson
from http_load import closed_loop

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "supergraph" / "fixtures"
sys.path.insert(0, str(FIXTURES))

LIGHT_QUERY = """
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

# the operation of the public graphql-gateways-benchmark, over the same four subgraphs
HEAVY_QUERY = """
fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { inStock name price shippingEstimate upc weight }
query TopProducts {
  users {
    ...User
    reviews {
      ...Review
      product {
        ...Product
        reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } }
      }
    }
  }
  topProducts {
    ...Product
    reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } }
  }
}
"""

QUERIES = {"light": LIGHT_QUERY, "heavy": HEAVY_QUERY}
QUERY = LIGHT_QUERY
# gateway variant -> POS_GATEWAY_NATIVE for its process (None: left as the caller's)
OURS = {"ours": None, "python": "0", "native": "1"}


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


async def load(
    url: str, seconds: float, concurrency: int, query: str = LIGHT_QUERY
) -> dict[str, Any]:
    """Closed-loop load: `concurrency` clients for `seconds`; returns the raw latencies
    (raw keep-alive sockets, http_load.py: httpx cost as much CPU as the gateway)."""
    body = orjson.dumps({"query": query, "operationName": "TopProducts"})
    result = await closed_loop(url, body, seconds, concurrency)
    result["response"] = orjson.loads(result["response"])
    return result


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


def _pinned(cmd: list[str], core: int | None) -> list[str]:
    """`cmd` bound to one CPU core (taskset), or as it is when not pinning."""
    return cmd if core is None else ["taskset", "-c", str(core), *cmd]


def _client_core(pin: bool) -> None:
    if pin and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {1})


async def run(
    seconds: float,
    concurrency: int,
    gateways: tuple[str, ...] = ("ours", "apollo"),
    query: str = LIGHT_QUERY,
    pin: bool = False,
    profile: Path | None = None,
) -> dict[str, dict[str, Any]]:
    """Start the subgraphs and each gateway, then load them in alternating rounds.
    `profile`: record our (first) gateway with py-spy into this file (collapsed stacks)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    py = sys.executable
    gateway_core = 0 if pin else None
    subs = subprocess.Popen(
        _pinned([py, __file__, "--serve-subgraphs"], 1 if pin else None),
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    procs: list[subprocess.Popen[Any]] = [subs]
    profiler: subprocess.Popen[Any] | None = None
    try:
        assert subs.stdout is not None
        urls = orjson.loads(subs.stdout.readline())
        _client_core(pin)
        endpoints: dict[str, str] = {}
        for name in gateways:
            port = _free_port()
            endpoints[name] = f"http://127.0.0.1:{port}/graphql"
            if name == "apollo":
                cmd = [
                    "node",
                    str(ROOT / "tools" / "apollo" / "gateway.mjs"),
                    str(FIXTURES / "graphs" / "shop" / "supergraph.graphql"),
                    str(port),
                    *(f"{k}={v}" for k, v in urls.items()),
                ]
                procs.append(
                    subprocess.Popen(
                        _pinned(cmd, gateway_core),
                        cwd=str(ROOT / "tools" / "apollo"),
                        stdout=subprocess.DEVNULL,
                    )
                )
                continue
            child_env = dict(env)
            native = OURS[name]
            if native is not None:
                child_env["POS_GATEWAY_NATIVE"] = native
            cmd = [py, __file__, "--serve-ours", str(port), orjson.dumps(urls).decode()]
            if profile is not None and name == gateways[0]:
                spy = str(Path(py).with_name("py-spy"))
                cmd = [spy, "record", "-r", "250", "-f", "raw", "-o", str(profile), "--", *cmd]
            proc = subprocess.Popen(_pinned(cmd, gateway_core), env=child_env)
            if cmd[0].endswith("py-spy"):
                profiler = proc
            procs.append(proc)
        for url in endpoints.values():
            await _wait_ready(url)
        # alternate short rounds so every gateway sees the same background load
        rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in gateways}
        for _ in range(ROUNDS):
            for name, url in endpoints.items():
                rounds[name].append(await load(url, seconds / ROUNDS, concurrency, query))
        results = {name: _combine(rs) for name, rs in rounds.items()}
        first = results[gateways[0]]["response"]
        for name, result in results.items():
            if result["response"] != first:
                raise RuntimeError(
                    f"{name} and {gateways[0]} answered the benchmark query differently"
                )
        return results
    finally:
        for p in reversed(procs):
            # py-spy writes its profile on SIGINT (and stops the gateway it runs)
            p.send_signal(signal.SIGINT if p is profiler else signal.SIGTERM)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
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
    parser.add_argument("--query", choices=sorted(QUERIES), default="light")
    parser.add_argument(
        "--gateways",
        default="ours,apollo",
        help="comma-separated, in order: ours, python, native, apollo (ratios to the last)",
    )
    parser.add_argument("--pin", action="store_true", help="gateways on core 0, load on core 1")
    parser.add_argument("--profile", type=Path, help="py-spy raw profile of the first gateway")
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
    gateways = tuple(g.strip() for g in args.gateways.split(",") if g.strip())
    unknown = [g for g in gateways if g not in OURS and g != "apollo"]
    if unknown or not gateways:
        parser.error(f"unknown gateways: {unknown}; choose from ours, python, native, apollo")
    if args.profile is not None and gateways[0] == "apollo":
        parser.error("--profile records the first gateway, which must be one of ours")
    import uvloop  # the load generator's loop: less CPU per request than asyncio's

    results = uvloop.run(
        run(
            args.seconds,
            args.concurrency,
            gateways,
            QUERIES[args.query],
            args.pin,
            args.profile,
        )
    )
    for name, r in results.items():
        print(
            f"{name:7} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
            f"p99 {r['p99_ms']:6.1f} ms  ({r['requests']} requests, {r['errors']} errors)"
        )
    last = gateways[-1]
    for name in gateways[:-1]:
        print(f"ratio {name}/{last}: {results[name]['rps'] / results[last]['rps']:.2f}")
    if args.record:
        if gateways != ("ours", "apollo") or args.query != "light":
            parser.error("--record writes the default table: light query, ours and apollo")
        print(record(results, args.seconds, args.concurrency))


if __name__ == "__main__":
    main()

"""`pos gateway --workers N`: N whole gateways on one port."""

from __future__ import annotations

import asyncio
import hashlib
import signal
import socket
import sys
from pathlib import Path

import httpx
from federated_subgraph import Server
from planning_graphs import PLANNING, PLANNING_BUILDERS

ROOT = Path(__file__).parents[3]
QUERY = "{ products { name isExpensive } }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_two_workers_share_the_port_and_each_answers_whole() -> None:
    subgraphs = PLANNING_BUILDERS["requires_batch"]()
    servers = {name: Server(s.app) for name, s in subgraphs.items()}
    await asyncio.gather(*(s.start() for s in servers.values()))
    port = _free_port()
    urls = [arg for n, s in servers.items() for arg in ("--subgraph-url", f"{n}={s.url}")]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pos.cli", "gateway",
        "--supergraph", str(PLANNING / "requires_batch" / "supergraph.graphql"),
        *urls, "--port", str(port), "--workers", "2", "--no-subscriptions",
        "--no-staff-tokens", "--log-level", "warning",
        "--plugin", "tests.gateway_worker_plugin:WorkerPid",
        cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        pids: set[int] = set()
        async with asyncio.timeout(90):
            while True:
                assert process.returncode is None, "pos gateway exited"
                try:
                    # a new connection each time: the kernel picks the worker per connection
                    async with httpx.AsyncClient(timeout=10) as client:
                        answer = (
                            await client.post(
                                f"http://127.0.0.1:{port}/graphql", json={"query": QUERY}
                            )
                        ).json()
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
                    continue
                assert answer["data"]["products"][1] == {"name": "Sofa", "isExpensive": True}
                pids.add(answer["extensions"]["pid"])
                if len(pids) == 2:
                    break
        assert process.pid not in pids  # the supervisor serves nothing itself
        # automatic persisted queries stay correct across workers: a worker that has not
        # seen the text asks for it, the client sends it, and every worker then answers
        digest = hashlib.sha256(QUERY.encode()).hexdigest()
        by_hash = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
        for _ in range(6):
            async with httpx.AsyncClient(timeout=10) as client:
                url = f"http://127.0.0.1:{port}/graphql"
                first = (await client.post(url, json=by_hash)).json()
                if "errors" in first:
                    assert first["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
                    first = (await client.post(url, json={"query": QUERY, **by_hash})).json()
                assert first["data"]["products"][0]["name"] == "Lamp"
    finally:
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            await process.wait()
        await asyncio.gather(*(s.stop() for s in servers.values()))

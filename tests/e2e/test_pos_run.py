"""`pos run` as a user runs it: a real process, the printed URL, GraphiQL, seeded data,
Ctrl-C, and a restart on the same data directory."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.scenario import eventually

ROOT = Path(__file__).resolve().parents[2]
COUNTS = "{ products(first: 100) { totalCount } orders(first: 1) { totalCount } }"
SEEDED = {"products": {"totalCount": 50}, "orders": {"totalCount": 20}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PosRun:
    """One `pos run` child process and what it printed."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port
        self.lines: list[str] = []
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, timeout: float = 120.0) -> str:
        """Start and wait for the printed URL; returns it."""
        env = {**os.environ, "POS_PORT": str(self.port)}
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "pos.cli", "run", "--data-dir", str(self.data_dir),
            cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        async with asyncio.timeout(timeout):
            while True:
                raw = await self.process.stdout.readline()
                assert raw, f"pos run exited before it was ready:\n{''.join(self.lines)}"
                line = raw.decode()
                self.lines.append(line)
                if line.startswith("POS is running: GraphiQL at "):
                    return line.removeprefix("POS is running: GraphiQL at ").strip()

    async def interrupt(self, timeout: float = 20.0) -> int:
        """Ctrl-C as a terminal sends it (to the whole process group, so the embedded read
        store's process gets it too); the exit code once `pos run` has stopped."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGINT)
        assert self.process.stdout is not None
        async with asyncio.timeout(timeout):
            rest = await self.process.stdout.read()
            self.lines.append(rest.decode())
            return await self.process.wait()

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            await self.process.wait()


async def _query(client: httpx.AsyncClient, url: str, query: str) -> dict[str, Any]:
    response = await client.post(url, json={"query": query})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert not body.get("errors"), body["errors"]
    data: dict[str, Any] = body["data"]
    return data


async def test_pos_run_serves_graphiql_and_seeded_data_and_restarts_without_reseeding(
    tmp_path: Path,
) -> None:
    port = _free_port()
    first = PosRun(tmp_path / "embedded", port)
    try:
        url = await first.start()
        assert url == f"http://127.0.0.1:{port}/graphql"
        assert "Demo data: demo data loaded\n" in first.lines
        async with httpx.AsyncClient(timeout=30) as client:
            page = await client.get(url, headers={"accept": "text/html"})
            assert page.status_code == 200
            assert page.headers["content-type"].startswith("text/html")
            assert "GraphiQL" in page.text
            products = await _query(
                client, url, "{ products(first: 3) { totalCount nodes { sku name onHand } } }"
            )
            assert products["products"]["totalCount"] == 50
            assert all(p["sku"] and p["name"] for p in products["products"]["nodes"])
            assert all(isinstance(p["onHand"], int) for p in products["products"]["nodes"])
            # The demo shop: 50 products, 20 orders (the last ones reach the read model
            # shortly after the seed returns).
            seeded = await eventually(lambda: _query(client, url, COUNTS), lambda d: d == SEEDED)
            assert seeded == SEEDED
        assert await first.interrupt() == 0, "".join(first.lines)
    finally:
        await first.kill()

    second = PosRun(tmp_path / "embedded", port)
    try:
        url = await second.start()
        assert "Demo data: demo data is already complete; nothing was written\n" in second.lines
        async with httpx.AsyncClient(timeout=30) as client:
            assert await _query(client, url, COUNTS) == SEEDED
        assert await second.interrupt() == 0, "".join(second.lines)
    finally:
        await second.kill()

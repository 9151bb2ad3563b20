"""`pos seed --mode services`: the real command writes the demo shop to the PostgreSQL
event store, and the running services (relay, projections, saga reactors) pick it up."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.scenario import data, eventually
from tests.e2e.stacks import Stack, services_stack
from tests.subgraphs.hosting.harness import create_pg_database, drop_pg_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
async def services() -> AsyncIterator[tuple[Stack, str]]:
    url = await create_pg_database()
    try:
        async with services_stack(url) as running:
            yield running, url
    finally:
        await drop_pg_database(url)


async def _seed(pg_url: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pos.cli", "seed", "--mode", "services",
        cwd=ROOT, env={**os.environ, "POS_PG_URL": pg_url},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    async with asyncio.timeout(120):
        out, _ = await process.communicate()
    assert process.returncode == 0, out.decode()
    return out.decode()


async def _quiet(stack: Stack, timeout: float = 30.0) -> int:
    """The event count once it has not changed for a second."""
    async with asyncio.timeout(timeout):
        last, same = -1, 0
        while same < 5:
            count = await stack.count_events()
            same, last = (same + 1, last) if count == last else (0, count)
            await asyncio.sleep(0.2)
    return last


async def test_pos_seed_fills_the_running_services_once(services: tuple[Stack, str]) -> None:
    stack, pg_url = services
    assert '"message": "demo data loaded"' in await _seed(pg_url)
    counts = "{ products(first: 1) { totalCount } customers(first: 1) { totalCount } }"
    expected = {"products": {"totalCount": 50}, "customers": {"totalCount": 15}}
    seen = await eventually(lambda: data(stack.gateway, counts), lambda d: d == expected)
    assert seen == expected
    # The saga still reacts to what the seed did last (pending orders, shipments).
    no_pending = "{ orders(status: PENDING) { totalCount } }"
    pending = await eventually(
        lambda: data(stack.gateway, no_pending), lambda d: d["orders"]["totalCount"] == 0
    )
    assert pending == {"orders": {"totalCount": 0}}
    events = await _quiet(stack)
    assert "nothing was written" in await _seed(pg_url)
    assert await stack.count_events() == events

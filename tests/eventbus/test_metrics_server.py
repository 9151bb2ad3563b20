"""`/metrics` of the processes without an HTTP app: `pos relay --metrics-port`."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from eventbus.metrics import BusMetrics, metrics_server
from eventbus.sqlstore import SqlEventStore
from tests.e2e.pos_process import free_port
from tests.eventbus.fixtures_bus import counted, eventually, kafka_bootstrap

ROOT = Path(__file__).resolve().parents[2]


async def _scrape(port: int) -> dict[str, float]:
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    return {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples}


async def test_the_metrics_server_refreshes_the_outbox_figures(tmp_path: Path) -> None:
    store = SqlEventStore(f"sqlite+aiosqlite:///{tmp_path / 'e.db'}")
    await store.start()
    try:
        bus = BusMetrics(outbox=store.outbox)
        async with metrics_server(bus, 0, interval=0.05) as port:
            assert (await _scrape(port))["pos_outbox_pending_events"] == 0
            stream = str(uuid4())
            await store.append(stream, 0, counted(stream, 2, source="served"))

            async def two_pending() -> bool:
                return (await _scrape(port)).get("pos_outbox_pending_events") == 2

            await eventually(two_pending, timeout=5, what="the refreshed backlog")
    finally:
        await store.close()


@pytest.mark.services
async def test_pos_relay_serves_its_metrics(pg_store: SqlEventStore) -> None:
    port = free_port()
    env = {**os.environ, "POS_STORE_URL": pg_store.url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pos.cli", "relay", "--store-url", pg_store.url,
        "--kafka", kafka_bootstrap(), "--metrics-port", str(port),
        cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        stream = str(uuid4())
        await pg_store.append(stream, 0, counted(stream, 3, source=f"relaym{uuid4().hex[:6]}"))

        async def published() -> bool:
            assert process.returncode is None, "pos relay exited"
            try:
                figures = await _scrape(port)
            except httpx.TransportError:
                return False
            return (
                figures.get("pos_relay_published_events_total", 0) >= 3
                and figures.get("pos_outbox_pending_events") == 0
                and figures.get("pos_relay_active") == 1
            )

        await eventually(published, timeout=60, what="the relay's metrics to show the drain")
    finally:
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            await process.wait()


class _DownOutbox:
    """An outbox whose store is unreachable."""

    async def count_pending(self) -> int:
        raise ConnectionError("store down")

    async def pending(self, limit: int = 500) -> list[object]:
        raise ConnectionError("store down")


async def test_a_figure_that_cannot_be_read_is_left_out_not_shown_as_zero() -> None:
    bus = BusMetrics(outbox=_DownOutbox())  # type: ignore[arg-type]
    await bus.refresh()
    names = {family.name for family in bus.collect()}
    assert "pos_outbox_pending_events" not in names
    assert "pos_outbox_oldest_pending_age_seconds" not in names

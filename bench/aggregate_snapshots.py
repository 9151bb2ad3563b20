"""Loading a long stream with and without snapshots, same run: a register's receipt
sequence after N completed sales (what every `completeSale` loads).

Usage: .venv/bin/python bench/aggregate_snapshots.py [--sales 1000 10000] [--loads 30]
       [--url sqlite+aiosqlite:///var/bench-snapshots.db | postgresql+asyncpg://...]

For each N: N `ReceiptNumberTaken` events are appended to one stream (snapshots written
every `ReceiptSequence.snapshot_every` on the way, as the sales context does), then the
sequence is loaded `--loads` times by a repository that uses snapshots and by one that
replays the whole stream. Prints the median load time of each and their ratio; the
machine's noise cancels in the ratio, not in the times.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eventbus.repository import EventSourcedRepository  # noqa: E402
from eventbus.sqlstore import SqlEventStore  # noqa: E402
from subgraphs.sales.domain import ReceiptSequence  # noqa: E402

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


async def _fill(repo: EventSourcedRepository[ReceiptSequence], register: str, sales: int) -> str:
    sequence = ReceiptSequence.for_register(register)
    batch = 100  # many numbers per save: filling is not what is measured
    for start in range(0, sales, batch):
        for i in range(start, min(start + batch, sales)):
            sequence.take(
                f"{register}-sale-{i}",
                store_code="AMS",
                register_code="R1",
                by="bench",
                now=NOW,
                command_id=f"{register}-c-{i}",
            )
        await repo.save(sequence)
    return sequence.id


async def _median_load(repo: EventSourcedRepository[ReceiptSequence], sid: str, n: int) -> float:
    times = []
    for _ in range(n):
        began = time.perf_counter()
        await repo.load(sid)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


async def main(url: str, sales_counts: list[int], loads: int) -> None:
    store = SqlEventStore(url)
    await store.start()
    try:
        with_snapshots = EventSourcedRepository(
            store, ReceiptSequence, snapshot_every=ReceiptSequence.snapshot_every
        )
        replaying = EventSourcedRepository(store, ReceiptSequence)
        print(f"{'sales':>8} {'snapshot ms':>12} {'replay ms':>10} {'replay/snapshot':>16}")
        for sales in sales_counts:
            sid = await _fill(with_snapshots, f"bench-{sales}-{time.time_ns()}", sales)
            fast = await _median_load(with_snapshots, sid, loads)
            slow = await _median_load(replaying, sid, max(3, loads // 5))
            print(f"{sales:>8} {fast * 1000:>12.2f} {slow * 1000:>10.2f} {slow / fast:>16.1f}")
    finally:
        await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sales", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--loads", type=int, default=30)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite+aiosqlite:///{Path(tmp) / 'snapshots.db'}"
        asyncio.run(main(url, args.sales, args.loads))

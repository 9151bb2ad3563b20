"""SQLite-only behaviour: WAL, writers from separate engines serialise instead of failing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from eventbus import ConcurrencyError
from eventbus.sql.database import Database
from eventbus.sqlstore import SqlEventStore
from tests.eventbus.contracts.store_contract import new_events, stream


async def test_journal_is_wal_and_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'wal.db'}")
    async with db.engine.connect() as conn:
        mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar_one()
        foreign_keys = (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one()
    await db.dispose()
    assert (mode, foreign_keys) == ("wal", 1)


async def test_writers_in_two_processes_queue_rather_than_fail(tmp_path: Path) -> None:
    """Two stores on one file (as two processes would be) append concurrently."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    one, two = SqlEventStore(url), SqlEventStore(url)
    await one.start()
    await two.start()
    try:
        ids = [stream() for _ in range(30)]
        await asyncio.gather(
            *(
                (one if i % 2 else two).append(sid, 0, new_events(sid, 3))
                for i, sid in enumerate(ids)
            )
        )
        assert len(await one.read_all()) == 90
        assert await two.outbox.count_pending() == 90

        sid = ids[0]
        results = await asyncio.gather(
            *((one if i % 2 else two).append(sid, 3, new_events(sid, 1)) for i in range(10)),
            return_exceptions=True,
        )
        assert sum(not isinstance(r, BaseException) for r in results) == 1
        assert all(isinstance(r, ConcurrencyError) for r in results if isinstance(r, BaseException))
    finally:
        await one.close()
        await two.close()


def test_in_memory_database_is_refused_with_advice() -> None:
    with pytest.raises(ValueError, match="file path"):
        SqlEventStore("sqlite+aiosqlite:///:memory:")

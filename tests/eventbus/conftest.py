"""Shared event-store fixtures for the eventbus tests.

- `sqlite_store`: a started store on a fresh SQLite file.
- `pg_store`: a started store on a PostgreSQL database created for this test session
  (on the server at POS_PG_URL, dropped at the end), emptied before each test.
- `event_store`: the same test once per backend.

PostgreSQL is a required service: if it is not reachable the tests fail, they never skip.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from eventbus.sqlstore import SqlEventStore

PG_URL = os.environ.get("POS_PG_URL", "postgresql+asyncpg://pos:pos@127.0.0.1:5432/pos")


@pytest.fixture(scope="session")
async def pg_url() -> AsyncIterator[str]:
    """URL of a database of our own, created for this session and dropped after it."""
    name = f"pos_test_{uuid4().hex[:12]}"
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    seed = SqlEventStore(url)
    await seed.start()
    await seed.close()
    yield url
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.dispose()


@pytest.fixture
async def pg_store(pg_url: str) -> AsyncIterator[SqlEventStore]:
    wipe = create_async_engine(pg_url, poolclass=NullPool)
    async with wipe.begin() as conn:
        await conn.exec_driver_sql("TRUNCATE events, outbox, snapshots RESTART IDENTITY")
    await wipe.dispose()
    store = SqlEventStore(pg_url)
    await store.start()
    yield store
    await store.close()


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SqlEventStore]:
    store = SqlEventStore(f"sqlite+aiosqlite:///{tmp_path / 'events.db'}")
    await store.start()
    yield store
    await store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def event_store(request: pytest.FixtureRequest) -> SqlEventStore:
    store: SqlEventStore = request.getfixturevalue(
        f"{'pg' if request.param == 'postgresql' else 'sqlite'}_store"
    )
    return store

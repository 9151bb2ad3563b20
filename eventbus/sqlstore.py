"""`SqlEventStore`: the event store and its outbox on SQLAlchemy async.

One class for both backends: SQLite (``sqlite+aiosqlite:///path.db``, the embedded
default) and PostgreSQL (``postgresql+asyncpg://...``, production). The schema is
created or migrated by `start()`; the tables, transactions, outbox and unit of work live
in `eventbus.sql`.
"""

from __future__ import annotations

from eventbus.envelope import Envelope
from eventbus.ports import EventStore, Snapshot
from eventbus.sql.compiled import CompiledStatements
from eventbus.sql.database import Database
from eventbus.sql.migrations import migrate
from eventbus.sql.outbox import SqlOutbox
from eventbus.sql.snapshots import upsert_snapshot
from eventbus.sql.unit_of_work import CommitOutcomeUnknown, SqlUnitOfWork

__all__ = ["CommitOutcomeUnknown", "SqlEventStore"]


class SqlEventStore(EventStore):
    """Streams with optimistic concurrency, a global position, snapshots and an outbox.

    `pool_size`/`max_overflow` bound the connections per store (PostgreSQL: concurrent
    transactions; SQLite: concurrent readers, writers queue anyway).
    """

    def __init__(self, url: str, *, pool_size: int = 10, max_overflow: int = 20) -> None:
        self.url = url
        self._db = Database(url, pool_size=pool_size, max_overflow=max_overflow)
        self._sql = CompiledStatements(self._db.engine.dialect)
        self.outbox = SqlOutbox(self._db, self._sql)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._db.dialect

    async def start(self) -> None:
        await migrate(self._db)

    async def close(self) -> None:
        await self._db.dispose()

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._db, self._sql)

    async def read_stream(self, stream_id: str, from_version: int = 1) -> list[Envelope]:
        sql = self._sql
        args = sql.read_stream.args({"stream_id": stream_id, "from_version": from_version})
        async with self._db.driver() as db:
            rows = await db.fetch(sql.read_stream, args)
        return [sql.envelope(row) for row in rows]

    async def read_all(self, from_position: int = 0, limit: int = 1000) -> list[Envelope]:
        sql = self._sql
        args = sql.read_all.args({"from_position": from_position, "limit": limit})
        async with self._db.driver() as db:
            rows = await db.fetch(sql.read_all, args)
        return [sql.envelope(row) for row in rows]

    async def stream_version(self, stream_id: str) -> int:
        statement = self._sql.stream_version
        async with self._db.driver() as db:
            rows = await db.fetch(statement, statement.args({"stream_id": stream_id}))
        return int(rows[0][0])

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        async with self._db.writing() as conn:
            await upsert_snapshot(conn, snapshot)

    async def load_snapshot(self, stream_id: str) -> Snapshot | None:
        statement = self._sql.load_snapshot
        async with self._db.driver() as db:
            rows = await db.fetch(statement, statement.args({"stream_id": stream_id}))
        if not rows:
            return None
        version, state = rows[0]
        return Snapshot(stream_id=stream_id, version=version, state=self._sql.state(state))

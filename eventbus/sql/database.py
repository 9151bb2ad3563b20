"""One async engine per store, tuned for each backend, and its connections for reads and writes.

SQLite allows one writer at a time. A plain BEGIN takes the write lock only at the first
write, so two writers that both read first deadlock and one fails with "database is
locked". Write transactions therefore start with BEGIN IMMEDIATE (the lock is taken up
front and a second writer waits, up to the busy timeout), and inside one process they
also queue on an asyncio lock, so waiting writers sleep in the event loop instead of
spinning in SQLite's busy handler. The journal is WAL, so readers never wait for writers.

PostgreSQL needs none of this: concurrent writers are serialised by the unique index on
(stream_id, version), and the loser gets a unique violation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from eventbus.sql.driver import DriverConnection, driver_connection
from eventbus.sql.sqlite_writer import SqliteWriterConnection

BUSY_TIMEOUT_SECONDS = 30.0
POOL_RECYCLE_SECONDS = 1800
PING_AFTER_IDLE_SECONDS = 1.0
_IMMEDIATE = "pos_sqlite_immediate"
SQLITE_PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON")
"""WAL: readers never wait for the writer. NORMAL: in WAL mode a commit survives a
process crash, and only an OS crash may lose the last transactions. Foreign keys: off
by default in SQLite, and the append's version check relies on one."""


def dumps_json(value: Any) -> str:
    return orjson.dumps(value).decode()


class Database:
    """An engine and how to open read and write transactions on it."""

    def __init__(self, url: str, *, pool_size: int = 10, max_overflow: int = 20) -> None:
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        self.is_sqlite = self.dialect == "sqlite"
        options: dict[str, Any] = {
            "json_serializer": dumps_json,
            "json_deserializer": orjson.loads,
            "pool_size": pool_size,
            "max_overflow": max_overflow,
            # PostgreSQL: connections idle a while are pinged at checkout instead
            # (`_ping_when_idle`); one older than POOL_RECYCLE_SECONDS is replaced anyway.
            "pool_pre_ping": False,
            "pool_recycle": POOL_RECYCLE_SECONDS,
        }
        if self.is_sqlite:
            if parsed.database in (None, "", ":memory:"):
                raise ValueError(
                    "an in-memory SQLite event store is not supported: each pooled "
                    "connection would see its own empty database; give a file path, e.g. "
                    "sqlite+aiosqlite:///./pos.db"
                )
            options["connect_args"] = {"timeout": BUSY_TIMEOUT_SECONDS}
            # Every transaction here is ended explicitly (by SQLAlchemy or the unit of
            # work), so the pool's extra ROLLBACK on check-in would be a wasted thread hop.
            options["pool_reset_on_return"] = None
        self.engine: AsyncEngine = create_async_engine(url, **options)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        self._sqlite_writer: SqliteWriterConnection | None = None
        self._sqlite_path = parsed.database or ""
        if self.is_sqlite:
            _tune_sqlite(self.engine)
        else:
            _ping_when_idle(self.engine)

    @asynccontextmanager
    async def driver(self) -> AsyncIterator[DriverConnection]:
        """A pooled connection's driver, for single statements that commit on their own
        (reads); a connection that fails mid-statement is discarded, not pooled."""
        async with self.engine.connect() as conn:
            raw = _driver_of(conn)
            try:
                yield driver_connection(self.dialect, raw)
            except BaseException:
                await conn.invalidate()
                raise

    @asynccontextmanager
    async def write_slot(self) -> AsyncIterator[None]:
        """This process's turn to write (SQLite: one writer at a time; PostgreSQL: any)."""
        if self._write_lock is None:
            yield
            return
        try:
            if self._write_lock.locked():
                await asyncio.wait_for(self._write_lock.acquire(), BUSY_TIMEOUT_SECONDS)
            else:
                await self._write_lock.acquire()
        except TimeoutError:
            raise TimeoutError(
                f"waited {BUSY_TIMEOUT_SECONDS:.0f}s for SQLite's single write slot: another "
                "write in this process holds it. Is a write (append, snapshot, outbox mark) "
                "being made while a unit of work is open in the same task? Do it inside that "
                "unit of work, or after it."
            ) from None
        try:
            yield
        finally:
            self._write_lock.release()

    @asynccontextmanager
    async def writer(self) -> AsyncIterator[DriverConnection]:
        """A driver connection for one write transaction that the caller runs itself.

        PostgreSQL takes one from the pool. SQLite has only ever one writer, so the
        store keeps one writer connection on its own thread (`SqliteWriterConnection`)
        for all unit-of-work writes. A connection marked broken is discarded.
        """
        if not self.is_sqlite:
            async with self.engine.connect() as pooled:
                raw = _driver_of(pooled)
                conn = driver_connection(self.dialect, raw)
                try:
                    yield conn
                finally:
                    if conn.broken:
                        await pooled.invalidate()
            return
        async with self.write_slot():
            writer = self._sqlite_writer
            if writer is None:
                writer = self._sqlite_writer = SqliteWriterConnection(
                    self._sqlite_path, busy_timeout=BUSY_TIMEOUT_SECONDS, pragmas=SQLITE_PRAGMAS
                )
            try:
                yield writer
            finally:
                if writer.broken:
                    self._sqlite_writer = None
                    await writer.close()

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        async with self.write_slot(), self.engine.connect() as conn:
            if self.is_sqlite:
                await conn.execution_options(**{_IMMEDIATE: True})
            async with conn.begin():
                yield conn

    async def dispose(self) -> None:
        if self._sqlite_writer is not None:
            async with self.write_slot():
                writer, self._sqlite_writer = self._sqlite_writer, None
                if writer is not None:
                    await writer.close()
        await self.engine.dispose()


def _driver_of(conn: AsyncConnection) -> Any:
    """The driver connection (asyncpg / aiosqlite) under a checked-out connection.

    Same as ``(await conn.get_raw_connection()).driver_connection`` without the greenlet
    round trip: once checked out, reaching it does no I/O.
    """
    return conn.sync_connection.connection.driver_connection  # type: ignore[union-attr]


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Check a pooled connection at checkout when it sat idle over PING_AFTER_IDLE_SECONDS.

    A server restart leaves every pooled connection dead, and the statements here run on
    the driver directly, where SQLAlchemy never sees the disconnect: each stale connection
    failed its next request, once, for as long as it sat in the pool. SQLAlchemy's
    `pool_pre_ping` checks every checkout (three round trips on asyncpg: 0.3 ms -> 0.7 ms
    per read, measured). Instead: a connection whose server closed it (a restart, a
    terminated backend) is known closed locally, at no cost; one idle longer than a
    second, which may be half-open after a network fault, gets the ping. Either finding
    invalidates the whole pool (all its connections predate the fault) and the checkout
    goes on with a fresh connection."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["pos_idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("pos_idle_since", None)
        driver = getattr(dbapi_connection, "driver_connection", None)
        if driver is not None and driver.is_closed():
            # the server closed it (a restart): known locally, no round trip needed
            raise InvalidatePoolError("pooled connection closed by the server")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:  # idle a while: it may be half-open (no close ever arrived), ask the server
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise InvalidatePoolError(f"stale pooled connection: {exc}") from exc


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below emit BEGIN itself (the stdlib driver would
        # otherwise open a deferred transaction on its own at the first write).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

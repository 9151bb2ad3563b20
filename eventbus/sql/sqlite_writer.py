"""SQLite's single writer: a stdlib connection used only on a thread of its own.

aiosqlite hops to its thread once per statement, and on a busy 2-core machine each hop
costs 0.1-0.3 ms of scheduling, more than the SQLite work. Here a whole step runs in
one hop: BEGIN IMMEDIATE is sent with the first statement, and the events INSERT, the
positions it returns and the outbox INSERT go together (`fetch_then_execute`). An
append alone in its unit of work is two hops (the step, then COMMIT); a plain
three-statement transaction through aiosqlite is three.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from eventbus.sql.driver import DriverConnection, FollowUp, Prepared

T = TypeVar("T")


class SqliteWriterConnection(DriverConnection):
    """One connection, one thread; statements queue on the thread in call order, so a
    ROLLBACK issued after a cancelled step still runs after that step."""

    integrity_error = (sqlite3.IntegrityError,)

    def __init__(self, path: str, *, busy_timeout: float, pragmas: Sequence[str]) -> None:
        super().__init__(None)
        self._path = path
        self._busy_timeout = busy_timeout
        self._pragmas = tuple(pragmas)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pos-sqlite-writer")
        self._conn: sqlite3.Connection | None = None
        self._begin_pending = False

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    def _take_begin(self) -> bool:
        """Whether the next step must open the transaction, decided when it is queued
        (not when it runs), so a step queued before a rollback still runs inside it."""
        begin, self._begin_pending = self._begin_pending, False
        return begin

    def _connection(self, begin: bool) -> sqlite3.Connection:
        """On the writer thread: the connection, in a new transaction if `begin`."""
        conn = self._conn
        if conn is None:
            conn = sqlite3.connect(
                self._path,
                timeout=self._busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            for pragma in self._pragmas:
                conn.execute(f"PRAGMA {pragma}")
            self._conn = conn
        if begin:
            conn.execute("BEGIN IMMEDIATE")
        return conn

    async def begin(self) -> None:
        self._begin_pending = True  # sent with the first statement: one hop fewer

    async def commit(self) -> None:
        await self._end("COMMIT")

    async def rollback(self) -> None:
        await self._end("ROLLBACK")

    async def _end(self, sql: str) -> None:
        self._begin_pending = False
        await self._run(self._end_transaction, sql)

    def _end_transaction(self, sql: str) -> None:
        conn = self._conn
        if conn is not None and conn.in_transaction:
            conn.execute(sql)

    async def fetch(self, prepared: Prepared, args: Sequence[Any]) -> Sequence[Any]:
        return await self._run(self._fetch, self._take_begin(), prepared.sql, args)

    def _fetch(self, begin: bool, sql: str, args: Sequence[Any]) -> list[Any]:
        return self._connection(begin).execute(sql, args).fetchall()

    async def execute(self, prepared: Prepared, args: Sequence[Any]) -> None:
        await self._run(self._execute, self._take_begin(), prepared.sql, args)

    def _execute(self, begin: bool, sql: str, args: Sequence[Any]) -> None:
        self._connection(begin).execute(sql, args)

    async def fetch_then_execute(
        self, first: Prepared, args: Sequence[Any], then: FollowUp[T]
    ) -> T:
        step = self._fetch_then_execute
        return await self._run(step, self._take_begin(), first.sql, args, then)

    def _fetch_then_execute(
        self, begin: bool, sql: str, args: Sequence[Any], then: FollowUp[T]
    ) -> T:
        conn = self._connection(begin)
        second, second_args, result = then(conn.execute(sql, args).fetchall())
        conn.execute(second.sql, second_args)
        return result

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await self._run(conn.close)
        self._thread.shutdown(wait=False)

"""The hot paths: SQL compiled by SQLAlchemy once, executed on the driver connection.

Measured (bench/append.py): through SQLAlchemy's async adapters one single-event append
cost 3-8x a plain driver INSERT loop, and reading a 5-event stream took milliseconds.
On aiosqlite every statement is four hops to the driver thread (cursor, execute, fetch,
close), plus BEGIN and ROLLBACK; on both backends each `execute` adds SQLAlchemy's
per-call work. So appends and reads compile their few statements once per dialect
(`eventbus.sql.compiled`), convert values with the column types' own bind and result
processors (what is stored is exactly what SQLAlchemy would store, so both paths agree),
and run them straight on the driver: asyncpg for PostgreSQL; for SQLite, aiosqlite for
reads and a stdlib connection on the writer's own thread for unit-of-work writes
(`eventbus.sql.sqlite_writer`). Connections for reads and PostgreSQL writes still come from,
and go back to, the engine's pool; SQLAlchemy-managed transactions remain for the cold
paths (schema migration, outbox marks, standalone snapshots).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import ClauseElement
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None
T = TypeVar("T")
FollowUp = Callable[[Sequence[Any]], "tuple[Prepared, Sequence[Any], T]"]
"""Given the first statement's rows: the second statement, its arguments, a result."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A compiled statement: positional SQL and how to turn named params into its args."""

    sql: str
    names: tuple[str, ...]
    processors: tuple[Processor, ...]
    defaults: Mapping[str, Any]
    """Values SQLAlchemy bound itself (e.g. SQLite's ``OFFSET 0``)."""

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        """Arguments from named parameters."""
        return [
            value if process is None or value is None else process(value)
            for value, process in zip(
                (params[n] if n in params else self.defaults[n] for n in self.names),
                self.processors,
                strict=True,
            )
        ]

    def args_rows(self, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """Arguments for a multi-row VALUES statement from row tuples in column order."""
        width = len(rows[0])
        out = []
        for row in rows:
            for value, process in zip(row, self.processors[:width], strict=True):
                out.append(value if process is None or value is None else process(value))
        return out


def prepare(stmt: ClauseElement, dialect: Dialect) -> Prepared:
    compiled = stmt.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
    names = tuple(compiled.positiontup)
    processors = tuple(
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    defaults = {name: compiled.binds[name].effective_value for name in names}
    return Prepared(str(compiled), names, processors, defaults)


class DriverConnection:
    """Statements, and BEGIN/COMMIT/ROLLBACK, on a raw driver connection.

    Outside BEGIN each statement commits on its own, which is all a single SELECT needs.
    `broken` is set by a user that lost track of the transaction state (a failed
    COMMIT or ROLLBACK), so the connection is discarded instead of reused.
    """

    integrity_error: tuple[type[BaseException], ...] = ()

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.broken = False

    async def begin(self) -> None:
        raise NotImplementedError

    async def commit(self) -> None:
        await self.raw.execute("COMMIT")

    async def rollback(self) -> None:
        await self.raw.execute("ROLLBACK")

    async def fetch(self, prepared: Prepared, args: Sequence[Any]) -> Sequence[Any]:
        raise NotImplementedError

    async def execute(self, prepared: Prepared, args: Sequence[Any]) -> None:
        raise NotImplementedError

    async def fetch_then_execute(
        self, first: Prepared, args: Sequence[Any], then: FollowUp[T]
    ) -> T:
        """Run `first`, hand its rows to `then`, run the statement `then` returns.

        For a write whose second statement needs the first one's generated keys; an
        adapter may run the whole exchange in one round trip to its driver.
        """
        rows = await self.fetch(first, args)
        second, second_args, result = then(rows)
        await self.execute(second, second_args)
        return result

    def violated_constraint(self, error: BaseException) -> str:
        """Name of the constraint `error` reports, or its message."""
        return str(error)


class AsyncpgConnection(DriverConnection):
    integrity_error = (asyncpg.IntegrityConstraintViolationError,)

    async def begin(self) -> None:
        await self.raw.execute("BEGIN")

    async def fetch(self, prepared: Prepared, args: Sequence[Any]) -> Sequence[Any]:
        return await self.raw.fetch(prepared.sql, *args)

    async def execute(self, prepared: Prepared, args: Sequence[Any]) -> None:
        await self.raw.execute(prepared.sql, *args)

    def violated_constraint(self, error: BaseException) -> str:
        return str(getattr(error, "constraint_name", None) or error)


class AiosqliteConnection(DriverConnection):
    """Reads on a pooled aiosqlite connection (one thread hop per statement)."""

    integrity_error = (sqlite3.IntegrityError,)

    async def begin(self) -> None:
        await self.raw.execute("BEGIN IMMEDIATE")

    async def fetch(self, prepared: Prepared, args: Sequence[Any]) -> Sequence[Any]:
        return await self.raw.execute_fetchall(prepared.sql, args)

    async def execute(self, prepared: Prepared, args: Sequence[Any]) -> None:
        await self.raw.execute(prepared.sql, args)


def driver_connection(dialect: str, raw: Any) -> DriverConnection:
    if dialect == "sqlite":
        return AiosqliteConnection(raw)
    return AsyncpgConnection(raw)

"""The unit of work: stream appends and their outbox rows in one SQL transaction.

Per append: insert all events in one multi-row INSERT ... RETURNING (their positions),
then their outbox rows in one multi-row INSERT. There is no SELECT of the current
version: each event row names its previous version, and a foreign key to it plus the
unique (stream_id, version) index accept the insert exactly when the stream is at the
expected version (`eventbus.sql.tables.EventRow`). The statements run on the driver
connection (`eventbus.sql.driver` says why), inside BEGIN (IMMEDIATE on SQLite) ... COMMIT.

A lost race, or a wrong expected version, surfaces as `ConcurrencyError`, mapped from
the unique or foreign-key violation (on PostgreSQL a racing writer waits on the unique
index until the first one commits, then fails). After any failed statement the unit of
work is doomed: PostgreSQL has aborted the transaction and would turn a COMMIT into a
silent rollback. If the caller catches the error and leaves the block normally, the
transaction is rolled back and the error raised again: nothing is half-written, and
nobody is told it was written when it was not.

A COMMIT that fails for any reason other than the server refusing it (the connection
dropped, the server shut down, a timeout) leaves the outcome unknown: the server may have
committed before the connection went. That raises `CommitOutcomeUnknown` naming the
streams, so the caller can say "may have been saved, look it up" instead of "failed".
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import replace
from typing import Any, Self

import asyncpg

from eventbus.actor import current_actor
from eventbus.envelope import Envelope
from eventbus.ports import ConcurrencyError, Snapshot, UnitOfWork
from eventbus.sql.compiled import CompiledStatements
from eventbus.sql.database import Database
from eventbus.sql.driver import DriverConnection, Prepared
from eventbus.sql.statements import MAX_ROWS_PER_INSERT
from eventbus.sql.timestamps import utc
from eventbus.tracing import appending

# SQLSTATE classes whose COMMIT failure is a definite "not committed": integrity (23),
# invalid transaction state (25), transaction rollback (40: serialization, deadlock)
_REFUSED_CLASSES = ("23", "25", "40")


class CommitOutcomeUnknown(Exception):
    """The COMMIT got no answer: the transaction may or may not have been committed."""

    def __init__(self, streams: Sequence[str], cause: BaseException) -> None:
        super().__init__(
            f"the database connection failed during COMMIT ({cause.__class__.__name__}: "
            f"{cause}); streams {', '.join(streams) or '-'} may or may not have been written"
        )
        self.streams = list(streams)


def _commit_refused(error: BaseException) -> bool:
    """Whether a failed COMMIT certainly rolled back (the server answered with a refusal)."""
    if isinstance(error, sqlite3.Error):
        return True  # in-process: a failed COMMIT is a rolled-back one
    state = getattr(error, "sqlstate", None)
    return isinstance(error, asyncpg.PostgresError) and str(state or "")[:2] in _REFUSED_CLASSES


def _event_row(e: Envelope, stream_id: str, version: int) -> tuple[Any, ...]:
    """An `events` row, in `EVENT_COLUMNS` order."""
    return (e.id, stream_id, version, version - 1 or None, e.type, e.source, utc(e.time),
            e.data, e.correlation_id, e.causation_id, e.actor, e.traceparent)  # fmt: skip


# The stream moved on (version n exists) or is not where the caller thinks (n-1 does
# not). SQLite names no constraint for foreign keys, and only these two can fail here.
_VERSION_CLASH = (
    "uq_events_stream_version",
    "events.stream_id, events.version",
    "fk_events_previous_version",
    "FOREIGN KEY constraint failed",
)


class SqlUnitOfWork(UnitOfWork):
    """``async with store.unit_of_work() as uow``: every append commits together."""

    def __init__(self, db: Database, statements: CompiledStatements) -> None:
        self._db = db
        self._sql = statements
        self._stack: AsyncExitStack | None = None
        self._tx: DriverConnection | None = None
        self._doomed: BaseException | None = None
        self._streams: list[str] = []

    async def __aenter__(self) -> Self:
        if self._stack is not None:
            raise RuntimeError("a unit of work can be entered only once; open a new one")
        self._stack = stack = AsyncExitStack()
        try:
            tx = await stack.enter_async_context(self._db.writer())
            await tx.begin()
            self._tx = tx
        except BaseException:
            await self._release(ok=False)
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        doomed = self._doomed
        ok = exc_info[1] is None and doomed is None
        await self._release(ok=ok)
        if exc_info[1] is None and doomed is not None:
            raise doomed

    async def _release(self, *, ok: bool) -> None:
        """Commit or roll back, then give the connection back (or discard it if the
        transaction state is unknown, e.g. after a cancelled statement)."""
        stack, tx = self._stack, self._tx
        self._tx = None
        assert stack is not None
        try:
            if tx is not None:
                try:
                    if ok:
                        await tx.commit()
                    else:
                        await asyncio.shield(tx.rollback())
                except BaseException as error:
                    tx.broken = True
                    if ok and isinstance(error, Exception) and not _commit_refused(error):
                        raise CommitOutcomeUnknown(self._streams, error) from error
                    if ok:
                        raise
        finally:
            await stack.aclose()

    def _transaction(self) -> DriverConnection:
        if self._tx is None:
            raise RuntimeError("use the unit of work inside `async with`")
        if isinstance(self._doomed, ConcurrencyError):
            raise self._doomed
        if self._doomed is not None:
            raise RuntimeError(
                "this unit of work failed earlier and will be rolled back; open a new one to retry"
            ) from self._doomed
        return self._tx

    async def append(
        self, stream_id: str, expected_version: int, events: Sequence[Envelope]
    ) -> list[Envelope]:
        tx = self._transaction()
        if not events:
            return []
        if stream_id not in self._streams:
            self._streams.append(stream_id)
        for envelope in events:
            if envelope.subject != stream_id:
                raise ValueError(
                    f"envelope {envelope.id} has subject {envelope.subject!r} but is appended "
                    f"to stream {stream_id!r}: the subject must be the stream (aggregate) id"
                )
        actor = current_actor()
        if actor is not None:
            events = [e if e.actor is not None else replace(e, actor=actor) for e in events]
        stored: list[Envelope] = []
        with appending(stream_id, events) as events:  # a span; its trace context on each event
            try:
                for start in range(0, len(events), MAX_ROWS_PER_INSERT):
                    chunk = events[start : start + MAX_ROWS_PER_INSERT]
                    stored += await self._insert(tx, stream_id, expected_version + start, chunk)
            except tx.integrity_error as error:
                if not any(name in tx.violated_constraint(error) for name in _VERSION_CLASH):
                    self._doomed = error
                    raise
                self._doomed = ConcurrencyError(stream_id, expected_version)
                raise self._doomed from error
            except BaseException as error:
                self._doomed = error
                raise
        return stored

    async def _insert(
        self, tx: DriverConnection, stream_id: str, before: int, events: Sequence[Envelope]
    ) -> list[Envelope]:
        rows = [_event_row(e, stream_id, before + i) for i, e in enumerate(events, start=1)]
        insert = self._sql.events(len(rows))
        outbox = self._sql.outbox(len(rows))

        def with_positions(
            returned: Sequence[Any],
        ) -> tuple[Prepared, Sequence[Any], list[Envelope]]:
            positions = {version: position for position, version in returned}
            stored = [
                replace(e, stream_version=before + i, position=positions[before + i])
                for i, e in enumerate(events, start=1)
            ]
            outbox_rows = [(e.position, e.topic, stream_id, e.to_json()) for e in stored]
            return outbox, outbox.args_rows(outbox_rows), stored

        return await tx.fetch_then_execute(insert, insert.args_rows(rows), with_positions)

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        """Write a snapshot in this transaction, so it exists only if the events do."""
        statement = self._sql.save_snapshot
        args = statement.args(
            {"stream_id": snapshot.stream_id, "version": snapshot.version, "state": snapshot.state}
        )
        tx = self._transaction()
        try:
            await tx.execute(statement, args)
        except BaseException as error:
            self._doomed = error
            raise

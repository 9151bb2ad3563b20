"""The store's statements compiled for one dialect, and driver rows turned into envelopes.

Multi-row INSERTs are compiled per row count, on first use. Result values pass through
the column types' result processors (UUIDs to strings, SQLite's text datetimes and JSON),
so a row read here equals the same row read through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Dialect

from eventbus.envelope import Envelope
from eventbus.sql.driver import Prepared, prepare
from eventbus.sql.snapshots import UPSERTS
from eventbus.sql.statements import (
    COUNT_PENDING,
    EVENT_COLUMNS,
    LOAD_SNAPSHOT,
    OUTBOX_COLUMNS,
    PENDING,
    READ_ALL,
    READ_STREAM,
    STREAM_VERSION,
    insert_events,
    insert_outbox,
)
from eventbus.sql.tables import events, snapshots
from eventbus.sql.timestamps import utc


class CompiledStatements:
    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self.read_stream = prepare(READ_STREAM, dialect)
        self.read_all = prepare(READ_ALL, dialect)
        self.stream_version = prepare(STREAM_VERSION, dialect)
        self.load_snapshot = prepare(LOAD_SNAPSHOT, dialect)
        self.pending = prepare(PENDING, dialect)
        self.count_pending = prepare(COUNT_PENDING, dialect)
        self.save_snapshot = prepare(UPSERTS[dialect.name], dialect)
        self._event_results = [_result(column.type, dialect) for column in events.c]
        self._state_result = _result(snapshots.c.state.type, dialect)
        self._events: dict[int, Prepared] = {}
        self._outbox: dict[int, Prepared] = {}

    def events(self, rows: int) -> Prepared:
        """``INSERT INTO events`` of `rows` rows, returning (position, version)."""
        found = self._events.get(rows)
        if found is None:
            found = self._events[rows] = self._multi_row(insert_events(rows), EVENT_COLUMNS, rows)
        return found

    def outbox(self, rows: int) -> Prepared:
        found = self._outbox.get(rows)
        if found is None:
            found = self._outbox[rows] = self._multi_row(insert_outbox(rows), OUTBOX_COLUMNS, rows)
        return found

    def _multi_row(self, stmt: Any, columns: tuple[str, ...], rows: int) -> Prepared:
        prepared = prepare(stmt, self._dialect)
        # `Prepared.args_rows` relies on row-major parameter order.
        expected = tuple(f"{name}_{i}" for i in range(rows) for name in columns)
        assert prepared.names == expected, prepared.names
        return prepared

    def envelope(self, row: Sequence[Any]) -> Envelope:
        """An envelope from a driver row of every `events` column, in table order."""
        (position, event_id, stream_id, version, _previous, type_, source, time, data,
         correlation_id, causation_id, actor, traceparent) = (
            value if process is None or value is None else process(value)
            for value, process in zip(row, self._event_results, strict=True)
        )  # fmt: skip
        return Envelope(
            id=event_id,
            type=type_,
            source=source,
            subject=stream_id,
            data=data,
            stream_version=version,
            time=utc(time),
            position=position,
            correlation_id=correlation_id,
            causation_id=causation_id,
            actor=actor,
            traceparent=traceparent,
        )

    def state(self, value: Any) -> dict[str, Any]:
        """A snapshot's state column as read by the driver."""
        process = self._state_result
        result: dict[str, Any] = value if process is None else process(value)
        return result


def _result(type_: Any, dialect: Dialect) -> Any:
    return type_.dialect_impl(dialect).result_processor(dialect, None)

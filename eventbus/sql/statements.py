"""The store's SQL as SQLAlchemy Core statements over the SQLModel tables, built once.

The hot ones are compiled once per dialect (`eventbus.sql.compiled`) and asyncpg keeps a
prepared statement per connection for each, so the hot path re-parses nothing.
"""

from __future__ import annotations

from sqlalchemy import Insert, Table, bindparam, func, insert, literal_column, select, update

from eventbus.sql.tables import events, outbox, snapshots

STREAM_VERSION = select(func.coalesce(func.max(events.c.version), literal_column("0"))).where(
    events.c.stream_id == bindparam("stream_id")
)
INSERT_EVENTS = insert(events).returning(events.c.position, events.c.version)
INSERT_OUTBOX = insert(outbox)
READ_STREAM = (
    select(events)
    .where(events.c.stream_id == bindparam("stream_id"))
    .where(events.c.version >= bindparam("from_version"))
    .order_by(events.c.version)
)
READ_ALL = (
    select(events)
    .where(events.c.position > bindparam("from_position"))
    .order_by(events.c.position)
    .limit(bindparam("limit"))
)
LOAD_SNAPSHOT = select(snapshots.c.version, snapshots.c.state).where(
    snapshots.c.stream_id == bindparam("stream_id")
)
PENDING = (
    select(outbox.c.id, outbox.c.topic, outbox.c.key, outbox.c.body)
    .where(outbox.c.published_at.is_(None))
    .order_by(outbox.c.id)
    .limit(bindparam("limit"))
)
COUNT_PENDING = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
MARK_PUBLISHED = (
    update(outbox)
    .where(outbox.c.id.in_(bindparam("ids", expanding=True)))
    .where(outbox.c.published_at.is_(None))
    .values(published_at=bindparam("at"))
)


EVENT_COLUMNS = (
    "event_id",
    "stream_id",
    "version",
    "previous_version",
    "type",
    "source",
    "time",
    "data",
    "correlation_id",
    "causation_id",
    "actor",
    "traceparent",
)
OUTBOX_COLUMNS = ("position", "topic", "key", "body")
MAX_ROWS_PER_INSERT = 500
"""Bigger appends are split: bounds the compiled-statement cache and the bind count."""


def _multi_row_insert(table: Table, columns: tuple[str, ...], rows: int) -> Insert:
    return insert(table).values(
        [
            {name: bindparam(f"{name}_{i}", type_=table.c[name].type) for name in columns}
            for i in range(rows)
        ]
    )


def insert_events(rows: int) -> Insert:
    """``rows`` events in one INSERT, returning each one's (position, version)."""
    stmt = _multi_row_insert(events, EVENT_COLUMNS, rows)
    return stmt.returning(events.c.position, events.c.version)


def insert_outbox(rows: int) -> Insert:
    return _multi_row_insert(outbox, OUTBOX_COLUMNS, rows)

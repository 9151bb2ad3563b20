"""Schema migrations: a short ordered list of steps, each recorded in `schema_version`.

Why not Alembic: it is not a dependency, it wants its own config and script tree and a
synchronous run, and four append-mostly tables change rarely and additively. A step is a
function over a synchronous connection, run inside one transaction with the bookkeeping
row, so a step is either fully applied and recorded or not at all (PostgreSQL and SQLite
both have transactional DDL).

Rule for new steps: step 1 creates the tables from the current models, so a fresh
database already has every later change; later steps must therefore be idempotent
(``ADD COLUMN IF NOT EXISTS``, ``CREATE INDEX IF NOT EXISTS``...).

Concurrent starts (several services booting at once) are serialised by a transaction-
scoped advisory lock on PostgreSQL and by BEGIN IMMEDIATE on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection

from eventbus.sql.database import Database
from eventbus.sql.tables import StoreModel, events, outbox, schema_version, snapshots

_ADVISORY_LOCK_KEY = 0x706F735F65730001  # "pos_es" + 1: any constant unique to us


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _create_tables(conn: Connection) -> None:
    StoreModel.metadata.create_all(conn, tables=[events, outbox, snapshots], checkfirst=True)


def _add_event_actor(conn: Connection) -> None:
    """`events.actor` (who caused the event), NULL for the events already stored."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE events ADD COLUMN IF NOT EXISTS actor JSONB"))
        return
    columns = {row[1] for row in conn.execute(text("PRAGMA table_info(events)"))}
    if "actor" not in columns:
        conn.execute(text("ALTER TABLE events ADD COLUMN actor JSON"))


def _add_event_traceparent(conn: Connection) -> None:
    """`events.traceparent` (the trace that wrote the event), NULL for the events stored."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE events ADD COLUMN IF NOT EXISTS traceparent VARCHAR(64)"))
        return
    columns = {row[1] for row in conn.execute(text("PRAGMA table_info(events)"))}
    if "traceparent" not in columns:
        conn.execute(text("ALTER TABLE events ADD COLUMN traceparent VARCHAR(64)"))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "events, outbox and snapshots tables", _create_tables),
    Migration(2, "events.actor: who caused each event", _add_event_actor),
    Migration(3, "events.traceparent: the trace that wrote each event", _add_event_traceparent),
)


def _apply_pending(conn: Connection) -> list[int]:
    schema_version.create(conn, checkfirst=True)
    current = conn.execute(select(func.coalesce(func.max(schema_version.c.version), 0)))
    at = int(current.scalar_one())
    applied = []
    for step in MIGRATIONS:
        if step.version <= at:
            continue
        step.apply(conn)
        conn.execute(
            insert(schema_version).values(
                version=step.version, description=step.description, applied_at=datetime.now(UTC)
            )
        )
        applied.append(step.version)
    return applied


async def migrate(db: Database) -> list[int]:
    """Bring the schema up to date; returns the versions applied now (empty if none)."""
    async with db.writing() as conn:
        if db.dialect == "postgresql":
            await conn.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY}
            )
        return await conn.run_sync(_apply_pending)

"""Snapshot upsert, per dialect. A snapshot only ever moves forward: an older one (a slow
writer, a replay) never overwrites a newer one."""

from __future__ import annotations

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from eventbus.ports import Snapshot
from eventbus.sql.tables import snapshots


def _upsert(dialect: str) -> Insert:
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make(snapshots)
    return stmt.on_conflict_do_update(
        index_elements=[snapshots.c.stream_id],
        set_={"version": stmt.excluded.version, "state": stmt.excluded.state},
        where=stmt.excluded.version > snapshots.c.version,
    )


UPSERTS = {name: _upsert(name) for name in ("postgresql", "sqlite")}


async def upsert_snapshot(conn: AsyncConnection, snapshot: Snapshot) -> None:
    await conn.execute(
        UPSERTS[conn.dialect.name],
        {"stream_id": snapshot.stream_id, "version": snapshot.version, "state": snapshot.state},
    )

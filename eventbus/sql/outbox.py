"""The outbox port over the `outbox` table, drained by the relay.

Rows are selected by ``published_at IS NULL``, never by a "last id seen" watermark.
That is what makes late commits safe: ids come from a sequence at INSERT time, so a
transaction can commit id 41 after id 42 was drained and published. A watermark would
skip 41 forever; here 41 is still unpublished, so the next `pending()` returns it. The
price is that 41 reaches Kafka after 42, which is harmless because the two are never
for the same key (next paragraph); consumers order by key, not across keys.

Per-key order on PostgreSQL: rows of one stream cannot be drained out of order. The
events row for version n+1 must reference version n (foreign key), and the check sees
only committed rows: while n's transaction is open, an append of n+1 fails with a
concurrency error (and two appends of the same version meet on the unique index, where
the second waits for the first and then fails). So n+1's rows are inserted only after
n has committed, and take larger outbox ids. Within one key, id order is stream order,
and a drain that sees a later row of a stream also sees the earlier ones. SQLite has a
single writer, so there ids are commit order anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from eventbus.envelope import Envelope
from eventbus.ports import Outbox, OutboxRecord
from eventbus.sql.compiled import CompiledStatements
from eventbus.sql.database import Database
from eventbus.sql.statements import MARK_PUBLISHED


class SqlOutbox(Outbox):
    def __init__(self, db: Database, statements: CompiledStatements) -> None:
        self._db = db
        self._sql = statements

    async def pending(self, limit: int = 500) -> list[OutboxRecord]:
        statement = self._sql.pending
        async with self._db.driver() as db:
            rows = await db.fetch(statement, statement.args({"limit": limit}))
        return [
            OutboxRecord(id=row_id, topic=topic, key=key, envelope=Envelope.from_json(body))
            for row_id, topic, key, body in rows
        ]

    async def mark_published(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        async with self._db.writing() as conn:
            await conn.execute(MARK_PUBLISHED, {"ids": list(ids), "at": datetime.now(UTC)})

    async def count_pending(self) -> int:
        statement = self._sql.count_pending
        async with self._db.driver() as db:
            rows = await db.fetch(statement, statement.args({}))
        return int(rows[0][0])

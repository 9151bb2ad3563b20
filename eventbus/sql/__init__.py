"""SQL building blocks of the event store: tables, transactions, outbox, unit of work."""

from eventbus.sql.database import Database
from eventbus.sql.migrations import MIGRATIONS, Migration, migrate
from eventbus.sql.outbox import SqlOutbox
from eventbus.sql.tables import EventRow, OutboxRow, SchemaVersionRow, SnapshotRow
from eventbus.sql.unit_of_work import SqlUnitOfWork

__all__ = [
    "MIGRATIONS",
    "Database",
    "EventRow",
    "Migration",
    "OutboxRow",
    "SchemaVersionRow",
    "SnapshotRow",
    "SqlOutbox",
    "SqlUnitOfWork",
    "migrate",
]

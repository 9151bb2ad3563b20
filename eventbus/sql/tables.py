"""The event store's tables, declared once as SQLModel models.

The store uses SQLAlchemy Core on these models' `__table__` (no ORM session, no identity
map); the models stay available for typed ad-hoc reads. They live on their own
`MetaData` so creating them never touches tables other packages declare with SQLModel.

`events.previous_version` is one column beyond the agreed shape: it carries the foreign
key that makes the database itself check the expected version on every append.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

# BIGINT on PostgreSQL; INTEGER on SQLite, the only type that aliases the rowid there.
BigId = BigInteger().with_variant(Integer(), "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")
# None is SQL NULL here (plain JSON stores a JSON `null`)
NullableJson = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
Timestamp = DateTime(timezone=True)


class StoreModel(SQLModel):
    """Base of the store's tables, on a private MetaData."""

    metadata = MetaData()


class EventRow(StoreModel, table=True):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("stream_id", "version", name="uq_events_stream_version"),
        # Streams are gapless, enforced by the database: version n may only be written
        # if n-1 exists. With the unique index this *is* the optimistic concurrency
        # check (n-1 exists and n does not <=> the stream is at n-1), done inside the
        # INSERT instead of by a separate SELECT round trip.
        ForeignKeyConstraint(
            ["stream_id", "previous_version"],
            ["events.stream_id", "events.version"],
            name="fk_events_previous_version",
        ),
        {"sqlite_autoincrement": True},
    )

    position: int | None = Field(
        default=None, sa_column=Column(BigId, Identity(), primary_key=True)
    )
    event_id: str = Field(sa_column=Column(Uuid(as_uuid=False), nullable=False, unique=True))
    stream_id: str = Field(sa_column=Column(String(200), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    previous_version: int | None = Field(default=None, sa_column=Column(Integer))
    """version - 1, NULL for a stream's first event (see the foreign key)."""
    type: str = Field(sa_column=Column(String(200), nullable=False))
    source: str = Field(sa_column=Column(String(100), nullable=False))
    time: datetime = Field(sa_column=Column(Timestamp, nullable=False))
    data: dict[str, Any] = Field(sa_column=Column(Json, nullable=False))
    correlation_id: str | None = Field(default=None, sa_column=Column(String(200)))
    causation_id: str | None = Field(default=None, sa_column=Column(String(200)))
    actor: dict[str, Any] | None = Field(
        default=None, sa_column=Column(NullableJson, nullable=True)
    )
    """Who caused the event (`eventbus.actor`); NULL for events written before it existed."""
    traceparent: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    """W3C trace context of the append (`eventbus.tracing`); NULL when nothing was traced."""


class OutboxRow(StoreModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        # The relay's only query: unpublished rows in id order. A partial index stays as
        # small as the backlog, however long the published history grows.
        Index(
            "ix_outbox_unpublished",
            "id",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, Identity(), primary_key=True))
    position: int = Field(sa_column=Column(BigInteger, nullable=False))
    topic: str = Field(sa_column=Column(String(200), nullable=False))
    key: str = Field(sa_column=Column(String(200), nullable=False))
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(Timestamp))


class SnapshotRow(StoreModel, table=True):
    __tablename__ = "snapshots"

    stream_id: str = Field(sa_column=Column(String(200), primary_key=True))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    state: dict[str, Any] = Field(sa_column=Column(Json, nullable=False))


class SchemaVersionRow(StoreModel, table=True):
    __tablename__ = "schema_version"

    version: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    description: str = Field(sa_column=Column(String(200), nullable=False))
    applied_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


events = _table(EventRow)
outbox = _table(OutboxRow)
snapshots = _table(SnapshotRow)
schema_version = _table(SchemaVersionRow)

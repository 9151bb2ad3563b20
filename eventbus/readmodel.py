"""Beanie read models with an idempotent apply: each document remembers what it has seen.

Delivery is at least once (a relay may republish, a projector may crash before its commit),
so every document keeps `applied`: the last applied stream version per stream id. An event
whose version is not above that is a duplicate and is skipped; this is what makes the
effect exactly once. Stream ids are UUID strings, safe as MongoDB field names (no `.`/`$`).
"""

from __future__ import annotations

from collections.abc import Sequence

from beanie import Document, init_beanie
from beanie.odm.fields import IndexModelField
from beanie.odm.utils.pydantic import get_model_fields
from beanie.odm.utils.typing import get_index_attributes
from pydantic import BaseModel, Field
from pymongo import AsyncMongoClient, IndexModel

from eventbus.envelope import Envelope


class AppliedMixin(BaseModel):
    """Mix into a Beanie `Document`: `applied[stream_id]` = last applied stream version."""

    applied: dict[str, int] = Field(default_factory=dict)


def is_applied(doc: AppliedMixin | None, envelope: Envelope) -> bool:
    """Has `doc` already absorbed this event (or a later one of the same stream)?"""
    if doc is None:
        return False
    return doc.applied.get(envelope.subject, 0) >= envelope.stream_version


def mark_applied(doc: AppliedMixin, envelope: Envelope) -> None:
    """Record the event in `doc`; save the document in the same write as the change."""
    current = doc.applied.get(envelope.subject, 0)
    doc.applied[envelope.subject] = max(current, envelope.stream_version)


async def init_read_store(
    mongo_url: str, database: str, documents: Sequence[type[Document]]
) -> AsyncMongoClient:
    """Bind `documents` to `database` at `mongo_url`; returns the client (close it at exit)."""
    client: AsyncMongoClient = AsyncMongoClient(mongo_url, tz_aware=True)
    await init_beanie(database=client[database], document_models=list(documents), skip_indexes=True)
    for document in documents:
        await ensure_indexes(document)
    return client


async def ensure_indexes(document: type[Document]) -> None:
    """Create the document's missing indexes, one per call.

    Beanie re-sends every declared index in one `createIndexes` at each start; FerretDB
    1.24 drops the connection when such a call re-creates two or more existing indexes, so
    a service could not restart against its own database. Sending only the missing ones,
    singly, works on MongoDB and FerretDB alike.
    """
    collection = document.get_pymongo_collection()
    declared = [
        IndexModelField(IndexModel([(field.alias or name, attrs[0])], **attrs[1]))
        for name, field in get_model_fields(document).items()
        if (attrs := get_index_attributes(field)) is not None
    ]
    settings_indexes = document.get_settings().indexes
    if settings_indexes:
        declared = IndexModelField.merge_indexes(declared, settings_indexes)
    info = dict(await collection.index_information())
    existing = IndexModelField.from_pymongo_index_information(info)
    for index in IndexModelField.list_difference(declared, existing):
        await collection.create_indexes([index.index])

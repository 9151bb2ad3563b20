"""Beanie read models with an idempotent apply: each document remembers what it has seen.

Delivery is at least once (a relay may republish, a projector may crash before its commit),
so every document keeps `applied`: the last applied stream version per stream id. An event
whose version is not above that is a duplicate and is skipped; this is what makes the
effect exactly once. Stream ids are UUID strings, safe as MongoDB field names (no `.`/`$`).

A read store that is down must cost a reader a clear answer, not a hang: the client fails
a call after `SELECTION_TIMEOUT_MS` (pymongo waits 30 s by default, longer than a till
or the gateway's deadline waits), and `read_store_unavailable` turns the driver's
connection errors into READ_STORE_UNAVAILABLE. The client is made once and kept: pymongo
reconnects by itself when the server is back (docs/operations.md, "MongoDB outage").
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from beanie import Document, init_beanie
from beanie.odm.fields import IndexModelField
from beanie.odm.utils.pydantic import get_model_fields
from beanie.odm.utils.typing import get_index_attributes
from pydantic import BaseModel, Field
from pymongo import AsyncMongoClient, IndexModel
from pymongo.errors import ConnectionFailure

from eventbus.aggregate import DomainError
from eventbus.envelope import Envelope

SELECTION_TIMEOUT_MS = 2000
"""How long a read-store call waits for a reachable server before it fails; a
`serverSelectionTimeoutMS` in the MongoDB URL wins. `connectTimeoutMS` stays pymongo's
(20 s): it is also the monitor's wait for a `hello`, and a busy but healthy server must
not be taken for a dead one (and its pool cleared); selection bounds the wait anyway."""
STARTUP_WAIT = 30.0
"""Seconds a starting service waits for its read store (pymongo's old default wait)."""


class ReadStoreUnavailable(DomainError):
    """The read store (MongoDB) cannot be reached: queries answer this until it is back;
    nothing was changed by the failed call."""

    code = "READ_STORE_UNAVAILABLE"

    def __init__(self) -> None:
        super().__init__(
            "The read store is unavailable right now, so this cannot be read; retry in a "
            "few seconds. Sales and other changes are still being saved."
        )


def read_store_unavailable(exc: BaseException) -> ReadStoreUnavailable | None:
    """The client-facing error for `exc` if it says the read store is unreachable
    (server selection timed out, connection refused or cut), else None."""
    return ReadStoreUnavailable() if isinstance(exc, ConnectionFailure) else None


def read_store_client(mongo_url: str) -> AsyncMongoClient:
    """The client of the read store at `mongo_url`, with our bounded waits unless the URL
    sets its own."""
    given = {key.lower() for key, _ in parse_qsl(urlsplit(mongo_url).query)}
    bounds: dict[str, Any] = {}
    if "serverselectiontimeoutms" not in given:
        bounds["serverSelectionTimeoutMS"] = SELECTION_TIMEOUT_MS
    return AsyncMongoClient(mongo_url, tz_aware=True, **bounds)


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
    """Bind `documents` to `database` at `mongo_url`; returns the client (close it at exit).

    Waits up to `STARTUP_WAIT` seconds for the server first: a service started together
    with its read store (a supervisor starting both) comes up once the store does."""
    client = read_store_client(mongo_url)
    try:
        await _reachable(client, STARTUP_WAIT)
    except BaseException:
        await client.close()
        raise
    await init_beanie(database=client[database], document_models=list(documents), skip_indexes=True)
    for document in documents:
        await ensure_indexes(document)
    return client


async def _reachable(client: AsyncMongoClient, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            await client.admin.command("ping")
            return
        except ConnectionFailure:
            if time.monotonic() >= deadline:
                raise
            await asyncio.sleep(0.5)


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

"""`history` and `asOf` for any subgraph: the shared types, paging and instant checks.

An entity's `history(first, after)` lists the events of its stream, newest first, as a
Relay connection: each with its type, time, who caused it (`actor`: the member of staff,
as a `StaffMember` reference the staff subgraph resolves, or the system part that wrote
it) and what changed (the event's payload, and the read-model fields it changed, found by
folding the stream with the projection's own fold: `eventbus.time_travel.history_of`).

An entity's `asOf` argument answers from the event store (`eventbus.time_travel`): one
`TimeTravel` per (store, fold) per process, so its checkpoints serve every request.

The types are `@shareable`: every subgraph that has history declares the same value types
(`HistoryConnection`, `HistoryEdge`, `HistoryEvent`, `HistoryActor`, `FieldChange`), as
Federation requires. Ariadne subgraphs declare the same SDL (`HISTORY_SDL`) and answer
with `history_dict`. `actor` needs a signed-in caller (`@authenticated`): who did what is
staff's personal data (docs/access.md); the payload and fields are the entity's own data,
readable by whoever may read the entity.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import strawberry
from strawberry import federation
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

from eventbus import DomainError, Envelope, EventStore
from eventbus.events import split_type
from eventbus.time_travel import (
    FieldChange as FieldChangeEntry,
)
from eventbus.time_travel import (
    Fold,
    HistoryEntry,
    TimeTravel,
    check_instant,
    history_of,
    upto,
)
from subgraphs.hosting.connection import PageInfo
from subgraphs.hosting.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    decode_cursor,
    encode_cursor,
)

_CURSOR_TAG = "history"

_travellers: weakref.WeakKeyDictionary[EventStore, dict[Any, TimeTravel[Any]]] = (
    weakref.WeakKeyDictionary()
)


def time_travel(store: EventStore, fold: Fold[Any]) -> TimeTravel[Any]:
    """The process's `TimeTravel` for this store and fold (its checkpoints shared)."""
    per_store = _travellers.setdefault(store, {})
    found = per_store.get(fold)
    if found is None:
        found = per_store[fold] = TimeTravel(store, fold)
    return found


async def as_of(store: EventStore, fold: Fold[Any], stream_id: str, instant: datetime) -> Any:
    """The read-model document of `stream_id` at `instant` (None: no such entity)."""
    return await time_travel(store, fold).as_of(stream_id, instant)


def store_of(info: Any) -> EventStore:
    """The event store of the context serving this Strawberry request (its runtime's
    services, or the services themselves)."""
    runtime = info.context["runtime"]
    services = getattr(runtime, "services", runtime)
    store: EventStore = services.store
    return store


def representation_instant(raw: Any) -> datetime:
    """A representation's `asOf` (JSON text: the gateway passes the instant through)."""
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError:
        raise DomainError(f"asOf {raw!r} is not an ISO-8601 instant", field="asOf") from None


async def entity_as_of(
    store: EventStore, fold: Fold[Any], stream_id: str, instant: datetime
) -> Any:
    """`as_of`, and the instant in UTC to render with it: (document or None, instant)."""
    return await as_of(store, fold, stream_id, instant), instant.astimezone(UTC)


def checked_instant(instant: datetime | None) -> datetime | None:
    """`instant` in UTC (None stays None: now); future or offset-less instants refused."""
    return None if instant is None else check_instant(instant)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


# ---- paging ----


def _after_version(after: str | None) -> int | None:
    if after is None:
        return None
    version, tag = decode_cursor(after, 2)
    if tag != _CURSOR_TAG or not isinstance(version, int):
        raise DomainError(
            f"cursor {after[:60]!r} is not a history cursor: pass an endCursor of this "
            "entity's history",
            field="after",
        )
    return version


def _page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise DomainError(
            f"`first` must be between 0 and {MAX_PAGE_SIZE}, got {first}", field="first"
        )
    return first


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """One page of history entries, newest first, with their cursors."""

    entries: list[HistoryEntry[Any]]
    cursors: list[str]
    has_next: bool
    has_previous: bool
    total: int


async def history_page(
    store: EventStore,
    fold: Fold[Any] | None,
    stream_id: str,
    *,
    first: int | None = None,
    after: str | None = None,
    until: datetime | None = None,
) -> HistoryPage:
    """The newest-first page of the stream's events (up to `until`, when given).

    The fields each event changed are found by folding: the document before the page's
    oldest event comes from the stream's checkpoints (`TimeTravel.fold_to`), then only the
    page's events are folded. Without `until`, the stream is read only from that checkpoint
    on (without a fold: from the page on), so a page of a long stream asked for before
    costs at most `checkpoint_every` + `first` events read and folded.
    """
    size = _page_size(first)
    before_version = _after_version(after)
    if until is not None:
        envelopes: Sequence[Envelope] = await store.read_stream(stream_id)
        envelopes = envelopes[: upto(envelopes, until)]
        return _page(store, fold, stream_id, envelopes, 0, len(envelopes), size, before_version)
    total = await store.stream_version(stream_id)
    end = total if before_version is None else max(0, min(total, before_version - 1))
    start = max(0, end - size)
    if fold is None:
        offset = start
    else:
        offset = time_travel(store, fold).checkpoint_at_or_below(stream_id, start)
    tail = await store.read_stream(stream_id, from_version=offset + 1)
    try:
        return _page(store, fold, stream_id, tail, offset, total, size, before_version)
    except LookupError:  # the checkpoint was dropped while the stream was read
        whole = await store.read_stream(stream_id)
        return _page(store, fold, stream_id, whole, 0, total, size, before_version)


def _page(
    store: EventStore,
    fold: Fold[Any] | None,
    stream_id: str,
    envelopes: Sequence[Envelope],
    offset: int,
    total: int,
    size: int,
    before_version: int | None,
) -> HistoryPage:
    """The page out of `envelopes` (the stream's events from version `offset + 1`, of
    `total` that count)."""
    end = total if before_version is None else max(0, min(total, before_version - 1))
    start = max(0, end - size)
    chosen = envelopes[start - offset : end - offset]
    entries: list[HistoryEntry[Any]]
    if fold is None:
        entries = [HistoryEntry(e, ()) for e in chosen]
    else:
        travel = time_travel(store, fold)
        base = (
            travel.fold_to(stream_id, envelopes, start - offset, offset=offset) if start else None
        )
        entries = history_of(fold, chosen, base)
    entries.reverse()
    return HistoryPage(
        entries=entries,
        cursors=[encode_cursor([e.envelope.stream_version, _CURSOR_TAG]) for e in entries],
        has_next=start > 0,
        has_previous=before_version is not None,
        total=total,
    )


# ---- Strawberry types ----


@federation.type(keys=[Key(fields=FieldSet("id"), resolvable=False)])
class StaffMember:
    id: strawberry.ID


@federation.type(
    shareable=True,
    description="Who caused an event: a member of staff, or a part of the system acting "
    "on its own (a saga reactor, the seed). Both null: nobody was recorded.",
)
class HistoryActor:
    staff_member: StaffMember | None
    system: str | None = strawberry.field(
        description="The part of the system that wrote the event without a member behind it."
    )


@federation.type(
    shareable=True,
    description="One field of the entity's read model that an event changed; values are "
    "JSON text (null: the field had no value).",
)
class FieldChange:
    field: str = strawberry.field(description="The field's name in the read model.")
    before: str | None
    after: str | None


@federation.type(
    shareable=True, description="One event of an entity's stream: what happened, when, by whom."
)
class HistoryEvent:
    id: strawberry.ID = strawberry.field(description="The event's id (CloudEvents `id`).")
    type: str = strawberry.field(
        description="The versioned event type (CloudEvents `type`, e.g. "
        "pos.catalog.ProductPriceChanged.v1)."
    )
    name: str = strawberry.field(description="The event's name without context and version.")
    version: int = strawberry.field(description="Its version in the entity's stream (1: first).")
    time: datetime
    actor: HistoryActor | None = federation.field(
        authenticated=True,
        description="Who caused it; null when nobody was recorded (events from before "
        "staff signed in). Needs a signed-in caller: it names staff.",
    )
    payload: str = strawberry.field(description="The event's data as JSON text.")
    changes: list[FieldChange] = strawberry.field(
        description="The entity's fields this event changed (the first event: every field it set)."
    )


@federation.type(shareable=True, description="A page of an entity's events (Relay).")
class HistoryEdge:
    cursor: str
    node: HistoryEvent


@federation.type(shareable=True, description="An entity's events, newest first (Relay).")
class HistoryConnection:
    edges: list[HistoryEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Events in the whole history, all pages.")


def _actor(envelope: Envelope) -> HistoryActor | None:
    actor = envelope.actor or {}
    staff = actor.get("staffId")
    system = actor.get("system")
    if not staff and not system:
        return None
    return HistoryActor(
        staff_member=StaffMember(id=strawberry.ID(str(staff))) if staff else None,
        system=str(system) if system and not staff else None,
    )


def _change(change: FieldChangeEntry) -> FieldChange:
    return FieldChange(
        field=_camel(change.field), before=_json(change.before), after=_json(change.after)
    )


def history_event(entry: HistoryEntry[Any]) -> HistoryEvent:
    envelope = entry.envelope
    return HistoryEvent(
        id=strawberry.ID(envelope.id),
        type=envelope.type,
        name=split_type(envelope.type)[0].rsplit(".", 1)[-1],
        version=envelope.stream_version,
        time=envelope.time,
        actor=_actor(envelope),
        payload=orjson.dumps(envelope.data).decode(),
        changes=[_change(c) for c in entry.changes],
    )


def history_connection(page: HistoryPage) -> HistoryConnection:
    return HistoryConnection(
        edges=[
            HistoryEdge(cursor=c, node=history_event(e))
            for c, e in zip(page.cursors, page.entries, strict=True)
        ],
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        total_count=page.total,
    )


async def history(
    store: EventStore,
    fold: Fold[Any] | None,
    stream_id: str,
    *,
    first: int | None = None,
    after: str | None = None,
    until: datetime | None = None,
) -> HistoryConnection:
    """The Strawberry `history` field's answer."""
    page = await history_page(store, fold, stream_id, first=first, after=after, until=until)
    return history_connection(page)


# ---- Ariadne (SDL-first) ----

HISTORY_TYPES = ("HistoryActor", "FieldChange", "HistoryEvent", "HistoryEdge", "HistoryConnection")


def history_sdl() -> str:
    """The history types (and the `StaffMember` reference) in SDL, for SDL-first (Ariadne)
    subgraphs: printed from the Strawberry types, so both kinds declare them identically."""
    from graphql import parse, print_ast
    from strawberry.printer import print_schema

    @strawberry.type
    class Query:
        history: HistoryConnection

    printed = print_schema(federation.Schema(query=Query, federation_version="2.5"))
    wanted = {*HISTORY_TYPES, "StaffMember"}
    return "\n\n".join(
        print_ast(node)
        for node in parse(printed).definitions
        if getattr(getattr(node, "name", None), "value", None) in wanted
    )


def history_dict(page: HistoryPage) -> dict[str, Any]:
    """The `HistoryConnection` as plain data (Ariadne resolvers answer dicts)."""

    def node(entry: HistoryEntry[Any]) -> dict[str, Any]:
        event = history_event(entry)
        actor = event.actor
        return {
            "id": event.id,
            "type": event.type,
            "name": event.name,
            "version": event.version,
            "time": event.time,
            "actor": None
            if actor is None
            else {
                "staffMember": {"id": actor.staff_member.id} if actor.staff_member else None,
                "system": actor.system,
            },
            "payload": event.payload,
            "changes": [
                {"field": c.field, "before": c.before, "after": c.after} for c in event.changes
            ],
        }

    return {
        "edges": [
            {"cursor": c, "node": node(e)} for c, e in zip(page.cursors, page.entries, strict=True)
        ],
        "pageInfo": {
            "hasNextPage": page.has_next,
            "hasPreviousPage": page.has_previous,
            "startCursor": page.cursors[0] if page.cursors else None,
            "endCursor": page.cursors[-1] if page.cursors else None,
        },
        "totalCount": page.total,
    }

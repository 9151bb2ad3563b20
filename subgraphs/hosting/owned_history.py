"""The history types for the subgraph that owns `StaffMember` (staff).

Every other subgraph's `HistoryActor.staffMember` is the shared `resolvable: false`
reference of `subgraphs.hosting.history`. The staff subgraph defines `StaffMember` itself,
and one schema can not hold two types of that name, so it gets the same five types built
around its own class (`owned_history_types`). Names, fields and descriptions are read off
the shared types, so the SDL both print is the same (Federation requires identical
`@shareable` value types).

`hidden` names payload keys that never leave the owning context (the staff events carry
argon2id hashes of secrets): they are dropped from `payload` before it is shown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Optional

import orjson
import strawberry
from strawberry import federation
from strawberry.types import Info

from eventbus import Envelope, EventStore
from eventbus.time_travel import Fold, HistoryEntry
from subgraphs.hosting import history as shared
from subgraphs.hosting.connection import PageInfo


def _describe(cls: type, field: str | None = None) -> str | None:
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    if field is None:
        found: str | None = definition.description
        return found
    for f in definition.fields:
        if f.python_name == field:
            described: str | None = f.description
            return described
    raise LookupError(field)


@dataclass(frozen=True)
class OwnedHistory:
    """The types and how to answer with them."""

    connection: Any
    event: Any
    actor: Any
    edge: Any
    hidden: frozenset[str]

    def event_of(self, entry: HistoryEntry[Any]) -> Any:
        base = shared.history_event(entry)
        envelope: Envelope = entry.envelope
        staff = (envelope.actor or {}).get("staffId")
        actor = None
        if base.actor is not None:
            actor = self.actor(staff_id=str(staff) if staff else None, system=base.actor.system)
        payload = {k: v for k, v in envelope.data.items() if k not in self.hidden}
        return self.event(
            id=base.id,
            type=base.type,
            name=base.name,
            version=base.version,
            time=base.time,
            actor=actor,
            payload=orjson.dumps(payload).decode(),
            changes=base.changes,
        )

    async def history(
        self,
        store: EventStore,
        fold: Fold[Any] | None,
        stream_id: str,
        *,
        first: int | None = None,
        after: str | None = None,
        until: datetime | None = None,
    ) -> Any:
        page = await shared.history_page(
            store, fold, stream_id, first=first, after=after, until=until
        )
        return self.connection(
            edges=[
                self.edge(cursor=c, node=self.event_of(e))
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


def owned_history_types(
    owner_module: str,
    resolve: Callable[[Info, str], Awaitable[Any]],
    *,
    hidden: Collection[str] = (),
) -> OwnedHistory:
    """The history types around the `StaffMember` class of `owner_module` (referenced
    lazily, so they can be built before it); `resolve(info, id)` answers a member."""
    a, e, g = shared.HistoryActor, shared.HistoryEvent, shared.HistoryEdge
    c = shared.HistoryConnection
    lazy = strawberry.lazy(owner_module)
    member = Optional[Annotated["StaffMember", lazy]]  # type: ignore[name-defined]  # noqa: F821, UP045

    @federation.type(shareable=True, name="HistoryActor", description=_describe(a))
    class Actor:
        staff_id: strawberry.Private[str | None]
        system: str | None = strawberry.field(description=_describe(a, "system"))

        @strawberry.field(graphql_type=member)
        async def staff_member(self, info: Info) -> Any:
            return await resolve(info, self.staff_id) if self.staff_id else None

    @federation.type(shareable=True, name="HistoryEvent", description=_describe(e))
    class Event:
        id: strawberry.ID = strawberry.field(description=_describe(e, "id"))
        type: str = strawberry.field(description=_describe(e, "type"))
        name: str = strawberry.field(description=_describe(e, "name"))
        version: int = strawberry.field(description=_describe(e, "version"))
        time: datetime
        actor: Any = federation.field(
            authenticated=True, graphql_type=Actor | None, description=_describe(e, "actor")
        )
        payload: str = strawberry.field(description=_describe(e, "payload"))
        changes: list[shared.FieldChange] = strawberry.field(description=_describe(e, "changes"))

    @federation.type(shareable=True, name="HistoryEdge", description=_describe(g))
    class Edge:
        cursor: str
        node: Any = strawberry.field(graphql_type=Event)

    @federation.type(shareable=True, name="HistoryConnection", description=_describe(c))
    class Connection:
        edges: Any = strawberry.field(graphql_type=list[Edge])
        page_info: PageInfo
        total_count: int = strawberry.field(description=_describe(c, "total_count"))

    return OwnedHistory(Connection, Event, Actor, Edge, frozenset(hidden))

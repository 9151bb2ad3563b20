"""Staff GraphQL types: the `StaffMember` entity, its roles, and a signed-in `Session`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import federation
from strawberry.types import Info

from subgraphs.hosting import history
from subgraphs.hosting.owned_history import owned_history_types
from subgraphs.hosting.schema import loaders_of, runtime_of
from subgraphs.staff.application import Authenticated
from subgraphs.staff.domain import StaffMember as StaffAggregate
from subgraphs.staff.domain import parse_id
from subgraphs.staff.projections import StaffView, evolve

SECRETS = frozenset({"password_hash", "pin_hash", "token_hash"})
"""Payload keys of staff events that never leave this context: argon2id hashes of
secrets and refresh-token digests (`subgraphs/staff/domain/events.py`)."""


async def _member(info: Info, staff_id: str) -> StaffMember | None:
    view = await loaders_of(info).by(StaffView).load(staff_id)
    return StaffMember.from_view(view) if view else None


HISTORY = owned_history_types("subgraphs.staff.graphql.types", _member, hidden=SECRETS)
AS_OF = (
    "The instant this state is of (null: now). Set when the entity was asked for `asOf` an "
    "instant; references to other entities answer as of the same instant where their "
    "subgraph keeps history."
)


@strawberry.enum(description="What a member may do; see docs/access.md for each role's scopes.")
class StaffRole(Enum):
    CASHIER = "CASHIER"
    SUPERVISOR = "SUPERVISOR"
    MANAGER = "MANAGER"
    ADMIN = "ADMIN"


@federation.type(keys=["id", "id asOf"], description="Someone who works at the shop.")
class StaffMember:
    id: strawberry.ID
    username: str = strawberry.field(description="Unique, lower-case; what they sign in with.")
    display_name: str
    roles: list[StaffRole]
    active: bool = strawberry.field(description="Deactivated members cannot sign in.")
    locked: strawberry.Private[datetime | None]
    as_of: datetime | None = strawberry.field(default=None, description=AS_OF)

    @strawberry.field(
        description="The events of this member's stream, newest first (up to `asOf`, when "
        "set); `first` at most 100. Secrets (their hashes) are left out of `payload`.",
        graphql_type=HISTORY.connection,
    )
    async def history(self, info: Info, first: int | None = None, after: str | None = None) -> Any:
        return await HISTORY.history(
            history.store_of(info), evolve, str(self.id), first=first, after=after, until=self.as_of
        )

    @strawberry.field(
        description="Until when sign-in is refused after too many failures; null if not locked."
    )
    def locked_until(self, info: Info) -> datetime | None:
        from subgraphs.staff.graphql.runtime import StaffRuntime

        now = runtime_of(info, StaffRuntime).clock()
        return self.locked if self.locked is not None and self.locked > now else None

    @classmethod
    def from_view(cls, view: StaffView, as_of: datetime | None = None) -> StaffMember:
        return cls(
            id=strawberry.ID(view.id),
            username=view.username,
            display_name=view.display_name,
            roles=[StaffRole(r) for r in view.roles],
            active=view.active,
            locked=view.locked_until,
            as_of=as_of,
        )

    @classmethod
    def from_aggregate(cls, member: StaffAggregate) -> StaffMember:
        return cls(
            id=strawberry.ID(member.id),
            username=member.username,
            display_name=member.display_name,
            roles=[StaffRole(r.value) for r in member.roles],
            active=member.active,
            locked=member.locked_until,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info, id: strawberry.ID, asOf: str | None = None
    ) -> StaffMember | None:
        if asOf is not None:
            at = history.representation_instant(asOf)
            return await member_as_of(info, parse_id(id, "id"), at)
        view = await loaders_of(info).by(StaffView).load(parse_id(id, "id"))
        return cls.from_view(view) if view else None


async def member_as_of(info: Info, staff_id: str, instant: datetime) -> StaffMember | None:
    """The member as they were at `instant` (roles, active), replayed from their stream."""
    view, at = await history.entity_as_of(history.store_of(info), evolve, staff_id, instant)
    return StaffMember.from_view(view, as_of=at) if view else None


@strawberry.type(description="A signed-in session: send `accessToken` as a Bearer token.")
class Session:
    access_token: str = strawberry.field(description="A JWT, valid until `expiresAt` (15 min).")
    refresh_token: str = strawberry.field(
        description="One-time: trade it for a new session with refreshSession before "
        "the shift ends (12 h); using one twice ends the session."
    )
    expires_at: datetime = strawberry.field(description="When `accessToken` expires.")
    token_type: str = strawberry.field(description='Always "Bearer".')
    staff: StaffMember

    @classmethod
    def from_authenticated(cls, done: Authenticated) -> Session:
        return cls(
            access_token=done.access_token,
            refresh_token=done.refresh_token,
            expires_at=done.expires_at,
            token_type="Bearer",
            staff=StaffMember.from_aggregate(done.member),
        )

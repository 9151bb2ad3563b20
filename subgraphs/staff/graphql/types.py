"""Staff GraphQL types: the `StaffMember` entity, its roles, and a signed-in `Session`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import federation
from strawberry.types import Info

from subgraphs.hosting.schema import loaders_of, runtime_of
from subgraphs.staff.application import Authenticated
from subgraphs.staff.domain import StaffMember as StaffAggregate
from subgraphs.staff.domain import parse_id
from subgraphs.staff.projections import StaffView


@strawberry.enum(description="What a member may do; see docs/access.md for each role's scopes.")
class StaffRole(Enum):
    CASHIER = "CASHIER"
    SUPERVISOR = "SUPERVISOR"
    MANAGER = "MANAGER"
    ADMIN = "ADMIN"


@federation.type(keys=["id"], description="Someone who works at the shop.")
class StaffMember:
    id: strawberry.ID
    username: str = strawberry.field(description="Unique, lower-case; what they sign in with.")
    display_name: str
    roles: list[StaffRole]
    active: bool = strawberry.field(description="Deactivated members cannot sign in.")
    locked: strawberry.Private[datetime | None]

    @strawberry.field(
        description="Until when sign-in is refused after too many failures; null if not locked."
    )
    def locked_until(self, info: Info) -> datetime | None:
        from subgraphs.staff.graphql.runtime import StaffRuntime

        now = runtime_of(info, StaffRuntime).clock()
        return self.locked if self.locked is not None and self.locked > now else None

    @classmethod
    def from_view(cls, view: StaffView) -> StaffMember:
        return cls(
            id=strawberry.ID(view.id),
            username=view.username,
            display_name=view.display_name,
            roles=[StaffRole(r) for r in view.roles],
            active=view.active,
            locked=view.locked_until,
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
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> StaffMember | None:
        view = await loaders_of(info).by(StaffView).load(parse_id(id, "id"))
        return cls.from_view(view) if view else None


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

"""The staff subgraph: sign-in and sessions (public), the staff list (staff:read), staff
management (staff:manage), and the caller's own record (authenticated).

The SDL carries `@authenticated` / `@requiresScopes` for the gateway, and each resolver
checks the same again against the caller's verified claims (`caller`), so a call that
bypasses the gateway is refused as well.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import strawberry
from strawberry import federation
from strawberry.types import Info

from eventbus import DomainError
from eventbus.time_travel import check_instant
from subgraphs.hosting.commands import Executed, read_your_writes
from subgraphs.hosting.connection import Connection, connection_from_page
from subgraphs.hosting.pagination import paginate
from subgraphs.hosting.schema import SubgraphSchema, runtime_of
from subgraphs.staff.application import (
    ChangeMyPassword,
    DeactivateStaff,
    GrantRole,
    HireStaff,
    RefreshSession,
    ResetSecret,
    RevokeRole,
    SignIn,
    SignInWithPin,
    SignOut,
)
from subgraphs.staff.domain import StaffMember as StaffAggregate
from subgraphs.staff.domain import parse_id
from subgraphs.staff.graphql.caller import require_caller, require_scope
from subgraphs.staff.graphql.inputs import HireStaffInput, SignInInput, SignInWithPinInput
from subgraphs.staff.graphql.runtime import StaffRuntime
from subgraphs.staff.graphql.types import Session, StaffMember, StaffRole, member_as_of
from subgraphs.staff.projections import StaffView

SEARCH_MAX = 100
READ = "staff:read"
MANAGE = "staff:manage"


def _runtime(info: Info) -> StaffRuntime:
    return runtime_of(info, StaffRuntime)


async def _member_payload(executed: Executed[StaffAggregate]) -> StaffMember:
    return await read_your_writes(
        executed,
        lambda member: StaffView.get(member.id),
        StaffMember.from_view,
        StaffMember.from_aggregate,
    )


@strawberry.type
class Query:
    @federation.field(authenticated=True, description="The signed-in member.")
    async def me(self, info: Info) -> StaffMember | None:
        claims = require_caller(info)
        view = await StaffView.get(str(claims["sub"]))
        if view is not None:
            return StaffMember.from_view(view)
        member = await _runtime(info).handlers.members.get(str(claims["sub"]))
        return StaffMember.from_aggregate(member) if member is not None else None

    @federation.field(
        requires_scopes=[[READ]],
        description="Staff by username; `search` matches username or display name.",
    )
    async def staff_members(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        active: bool | None = None,
        role: StaffRole | None = None,
        search: str | None = None,
    ) -> Connection[StaffMember]:
        require_scope(info, READ)
        filters: dict[str, Any] = {}
        if active is not None:
            filters["active"] = active
        if role is not None:
            filters["roles"] = role.value
        if search is not None and search.strip():
            if len(search) > SEARCH_MAX:
                raise DomainError(f"search must be at most {SEARCH_MAX} characters", field="search")
            pattern = re.escape(search.strip())
            filters["$or"] = [
                {"username": {"$regex": pattern, "$options": "i"}},
                {"display_name": {"$regex": pattern, "$options": "i"}},
            ]
        page = await paginate(
            StaffView,
            filters,
            order_by="username",
            first=first,
            after=after,
            last=last,
            before=before,
        )
        return connection_from_page(page.map(StaffMember.from_view))

    @federation.field(requires_scopes=[[READ]])
    async def staff_member(
        self, info: Info, id: strawberry.ID, as_of: datetime | None = None
    ) -> StaffMember | None:
        require_scope(info, READ)
        if as_of is not None:
            return await member_as_of(info, parse_id(id, "id"), check_instant(as_of))
        view = await StaffView.get(parse_id(id, "id"))
        return StaffMember.from_view(view) if view else None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Sign in with username and password (back office).")
    async def sign_in(self, info: Info, input: SignInInput) -> Session:
        runtime = _runtime(info)
        command = SignIn(username=input.username, password=input.password)
        return Session.from_authenticated(
            await runtime.run_unprojected(runtime.handlers.sign_in, command)
        )

    @strawberry.mutation(description="Sign in with username and PIN (at a register).")
    async def sign_in_with_pin(self, info: Info, input: SignInWithPinInput) -> Session:
        runtime = _runtime(info)
        command = SignInWithPin(
            username=input.username, pin=input.pin, register_id=input.register_id
        )
        return Session.from_authenticated(
            await runtime.run_unprojected(runtime.handlers.sign_in_with_pin, command)
        )

    @strawberry.mutation(
        description="Trade a refresh token for a new session (the old token is used up)."
    )
    async def refresh_session(self, info: Info, refresh_token: str) -> Session:
        runtime = _runtime(info)
        command = RefreshSession(refresh_token=refresh_token)
        return Session.from_authenticated(
            await runtime.run_unprojected(runtime.handlers.refresh, command)
        )

    @strawberry.mutation(description="End the session of this refresh token; false if none.")
    async def sign_out(self, info: Info, refresh_token: str) -> bool:
        runtime = _runtime(info)
        return await runtime.run_unprojected(
            runtime.handlers.sign_out, SignOut(refresh_token=refresh_token)
        )

    @federation.mutation(requires_scopes=[[MANAGE]])
    async def hire_staff(self, info: Info, input: HireStaffInput) -> StaffMember:
        require_scope(info, MANAGE)
        runtime = _runtime(info)
        command = HireStaff(
            username=input.username,
            display_name=input.display_name,
            roles=[r.value for r in input.roles],
            password=input.password,
            pin=input.pin,
            staff_id=input.id,
        )
        return await _member_payload(await runtime.run(runtime.handlers.hire, command))

    @federation.mutation(requires_scopes=[[MANAGE]])
    async def grant_role(self, info: Info, id: strawberry.ID, role: StaffRole) -> StaffMember:
        require_scope(info, MANAGE)
        runtime = _runtime(info)
        command = GrantRole(staff_id=id, role=role.value)
        return await _member_payload(await runtime.run(runtime.handlers.grant_role, command))

    @federation.mutation(requires_scopes=[[MANAGE]])
    async def revoke_role(self, info: Info, id: strawberry.ID, role: StaffRole) -> StaffMember:
        require_scope(info, MANAGE)
        runtime = _runtime(info)
        command = RevokeRole(staff_id=id, role=role.value)
        return await _member_payload(await runtime.run(runtime.handlers.revoke_role, command))

    @federation.mutation(
        requires_scopes=[[MANAGE]],
        description="Set a new password and/or PIN for a member (give at least one).",
    )
    async def reset_staff_secret(
        self,
        info: Info,
        id: strawberry.ID,
        password: str | None = None,
        pin: str | None = None,
    ) -> StaffMember:
        require_scope(info, MANAGE)
        runtime = _runtime(info)
        command = ResetSecret(staff_id=id, password=password, pin=pin)
        return await _member_payload(await runtime.run(runtime.handlers.reset_secret, command))

    @federation.mutation(
        requires_scopes=[[MANAGE]], description="The member can no longer sign in or refresh."
    )
    async def deactivate_staff(self, info: Info, id: strawberry.ID) -> StaffMember:
        require_scope(info, MANAGE)
        runtime = _runtime(info)
        command = DeactivateStaff(staff_id=id)
        return await _member_payload(await runtime.run(runtime.handlers.deactivate, command))

    @federation.mutation(authenticated=True)
    async def change_my_password(
        self, info: Info, current_password: str, new_password: str
    ) -> StaffMember:
        claims = require_caller(info)
        runtime = _runtime(info)
        command = ChangeMyPassword(
            staff_id=str(claims["sub"]),
            current_password=current_password,
            new_password=new_password,
        )
        return await _member_payload(
            await runtime.run(runtime.handlers.change_my_password, command)
        )


schema = SubgraphSchema(query=Query, mutation=Mutation, types=[StaffMember])

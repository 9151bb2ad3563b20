"""Staff mutation inputs."""

from __future__ import annotations

import strawberry

from subgraphs.staff.graphql.types import StaffRole


@strawberry.input
class SignInInput:
    username: str
    password: str


@strawberry.input
class SignInWithPinInput:
    username: str
    pin: str
    register_id: str | None = strawberry.field(
        default=None, description="The register signed in at (carried as the `register` claim)."
    )


@strawberry.input
class HireStaffInput:
    username: str
    display_name: str
    roles: list[StaffRole]
    password: str = strawberry.field(description="At least 10 characters.")
    pin: str = strawberry.field(description="4 to 8 digits, for signing in at a register.")
    id: strawberry.ID | None = strawberry.field(
        default=None, description="Optional client-chosen UUID (makes retries safe)."
    )

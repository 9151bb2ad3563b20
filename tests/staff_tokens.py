"""Real staff access tokens for tests that go through the gateway.

Signed by the staff context's own key ring (the one the gateway under test trusts), for a
member that need not exist: the gateway checks signatures and claims, not the roster.
Tests that go through sign-in itself use the `signIn` mutation instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from subgraphs.staff import StaffIdentity
from subgraphs.staff.domain import Role
from subgraphs.staff.security.tokens import TokenIssuer

TEST_LIFETIME = timedelta(hours=3)
"""Longer than any test session, so a slow run never sees its token expire."""


def staff_token(
    identity: StaffIdentity,
    roles: Sequence[str] = ("ADMIN",),
    *,
    staff_id: str = "00000000-0000-4000-8000-00000000a11c",
    name: str = "Test Admin",
) -> str:
    issuer = TokenIssuer(
        identity.keyring,
        issuer=identity.issuer,
        audience=identity.audience,
        lifetime=TEST_LIFETIME,
    )
    issued = issuer.issue(
        staff_id=staff_id,
        username=name.lower().replace(" ", "."),
        name=name,
        roles=[Role(r) for r in roles],
        session_id=f"test-session-{staff_id}",
        method="pwd",
    )
    return issued.token


def bearer(identity: StaffIdentity, roles: Sequence[str] = ("ADMIN",)) -> dict[str, str]:
    """Request headers acting as a member with `roles`."""
    return {"authorization": f"Bearer {staff_token(identity, roles)}"}

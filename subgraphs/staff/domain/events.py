"""Events of the staff context, published on `pos.staff`.

Secrets travel only as argon2id hashes (`password_hash`, `pin_hash`) and refresh tokens
only as SHA-256 digests (`token_hash`): nothing on the topic lets a reader sign in, but
the topic is still staff-private (a hash can be attacked offline), so grant it to the
staff context's own consumers only.
"""

from __future__ import annotations

from datetime import datetime

from eventbus import DomainEvent, event


@event("pos.staff.StaffHired")
class StaffHired(DomainEvent):
    staff_id: str
    username: str
    display_name: str
    roles: list[str]
    password_hash: str
    pin_hash: str
    hired_at: datetime


@event("pos.staff.RoleGranted")
class RoleGranted(DomainEvent):
    staff_id: str
    role: str


@event("pos.staff.RoleRevoked")
class RoleRevoked(DomainEvent):
    staff_id: str
    role: str


@event("pos.staff.PasswordChanged")
class PasswordChanged(DomainEvent):
    staff_id: str
    password_hash: str
    changed_at: datetime


@event("pos.staff.PinChanged")
class PinChanged(DomainEvent):
    staff_id: str
    pin_hash: str
    changed_at: datetime


@event("pos.staff.SignedIn")
class SignedIn(DomainEvent):
    """A correct secret was given: the failure count starts again at 0."""

    staff_id: str
    method: str
    """``pwd`` (password) or ``pin``."""
    session_id: str
    at: datetime
    register_id: str | None = None


@event("pos.staff.SignInFailed")
class SignInFailed(DomainEvent):
    staff_id: str
    method: str
    failures: int
    """Consecutive failures, this one included."""
    at: datetime


@event("pos.staff.LockedOut")
class LockedOut(DomainEvent):
    """Too many failures in a row: no sign-in until `until`; the count starts again."""

    staff_id: str
    until: datetime


@event("pos.staff.StaffDeactivated")
class StaffDeactivated(DomainEvent):
    staff_id: str
    at: datetime


@event("pos.staff.UsernameClaimed")
class UsernameClaimed(DomainEvent):
    """The username guard stream: `username` now belongs to `staff_id`."""

    username: str
    staff_id: str


@event("pos.staff.AdminEnrolled")
class AdminEnrolled(DomainEvent):
    """The admin roster stream: `staff_id` now holds ADMIN (and is active)."""

    staff_id: str


@event("pos.staff.AdminWithdrawn")
class AdminWithdrawn(DomainEvent):
    """The admin roster stream: `staff_id` lost ADMIN or was deactivated."""

    staff_id: str


@event("pos.staff.SessionStarted")
class SessionStarted(DomainEvent):
    session_id: str
    staff_id: str
    token_hash: str
    """SHA-256 (hex) of the first refresh token; the token itself is never stored."""
    method: str
    started_at: datetime
    expires_at: datetime
    """Refresh tokens of this session are refused from then on (rotation keeps it)."""
    register_id: str | None = None


@event("pos.staff.RefreshTokenRotated")
class RefreshTokenRotated(DomainEvent):
    session_id: str
    token_hash: str
    """The new current token's digest; the previous one is now used up."""
    at: datetime


@event("pos.staff.SessionRevoked")
class SessionRevoked(DomainEvent):
    session_id: str
    reason: str
    """``signed out``, ``refresh token reused``, ``staff deactivated``."""
    at: datetime

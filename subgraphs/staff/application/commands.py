"""Typed commands of the staff context: what a caller asks for, before validation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class HireStaff:
    username: str
    display_name: str
    roles: Sequence[str]
    password: str
    pin: str
    staff_id: str | None = None


@dataclass(frozen=True)
class GrantRole:
    staff_id: str
    role: str


@dataclass(frozen=True)
class RevokeRole:
    staff_id: str
    role: str


@dataclass(frozen=True)
class ResetSecret:
    """A manager's reset: a new password, a new PIN, or both."""

    staff_id: str
    password: str | None = None
    pin: str | None = None


@dataclass(frozen=True)
class DeactivateStaff:
    staff_id: str


@dataclass(frozen=True)
class ChangeMyPassword:
    staff_id: str
    current_password: str
    new_password: str


@dataclass(frozen=True)
class SignIn:
    username: str
    password: str


@dataclass(frozen=True)
class SignInWithPin:
    username: str
    pin: str
    register_id: str | None = None


@dataclass(frozen=True)
class RefreshSession:
    refresh_token: str


@dataclass(frozen=True)
class SignOut:
    refresh_token: str

"""Input rules of the staff context, with messages a caller can act on.

Raw secrets are checked here (length, digits) and then leave the domain: the application
hashes them (argon2id) before any aggregate sees them, so no event ever holds one.
"""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

from eventbus import DomainError

USERNAME_MIN = 3
USERNAME_MAX = 32
DISPLAY_NAME_MAX = 100
PASSWORD_MIN = 10
PASSWORD_MAX = 256
"""Long enough for passphrases; bounded so hashing cost cannot be abused."""
PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 8

MAX_FAILED_SIGN_INS = 5
"""Consecutive failed sign-ins (password or PIN) that lock a member out."""
LOCKOUT_DURATION = timedelta(minutes=15)
"""How long a locked-out member cannot sign in (any secret, even the right one)."""

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_PIN = re.compile(r"^[0-9]+$")


def parse_username(value: str, field: str = "username") -> str:
    """Usernames compare case-insensitively: stored lower-case."""
    name = value.strip().lower()
    if not USERNAME_MIN <= len(name) <= USERNAME_MAX:
        raise DomainError(
            f"{field} must be {USERNAME_MIN} to {USERNAME_MAX} characters long", field=field
        )
    if not _USERNAME.match(name):
        raise DomainError(
            f"{field} {value[:USERNAME_MAX]!r} may contain only letters, digits, '.', '_' "
            "and '-', starting with a letter or digit",
            field=field,
        )
    return name


def parse_display_name(value: str, field: str = "displayName") -> str:
    name = " ".join(value.split())
    if not name:
        raise DomainError(f"{field} must not be empty", field=field)
    if len(name) > DISPLAY_NAME_MAX:
        raise DomainError(f"{field} must be at most {DISPLAY_NAME_MAX} characters", field=field)
    return name


def check_password(value: str, field: str = "password") -> str:
    """A new password: at least PASSWORD_MIN characters (kept exactly as typed)."""
    if len(value) < PASSWORD_MIN:
        raise DomainError(f"{field} must be at least {PASSWORD_MIN} characters long", field=field)
    if len(value) > PASSWORD_MAX:
        raise DomainError(f"{field} must be at most {PASSWORD_MAX} characters long", field=field)
    if not value.strip():
        raise DomainError(f"{field} must not be only spaces", field=field)
    return value


def check_pin(value: str, field: str = "pin") -> str:
    """A new PIN: PIN_MIN_DIGITS to PIN_MAX_DIGITS digits, nothing else."""
    if not _PIN.match(value) or not PIN_MIN_DIGITS <= len(value) <= PIN_MAX_DIGITS:
        raise DomainError(
            f"{field} must be {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits (0-9 only)",
            field=field,
        )
    return value


def parse_id(value: str, field: str = "id", what: str = "staff member") -> str:
    """Ids are UUIDs; anything else cannot name a record."""
    try:
        return str(UUID(str(value)))
    except ValueError:
        raise DomainError(
            f"{field} {str(value)[:60]!r} is not a valid {what} id (a UUID)", field=field
        ) from None

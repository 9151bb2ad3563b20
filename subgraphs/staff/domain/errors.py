"""Errors of the staff context beyond the eventbus ones (their `code` is extensions.code)."""

from __future__ import annotations

from typing import Any

from eventbus import DomainError

SIGN_IN_REFUSED = "Wrong username or password, or the account is locked"
"""The one answer to every failed sign-in or refresh: never says which part was wrong."""


class Unauthenticated(DomainError):
    """Who is asking is unknown, or their credentials do not hold.

    `reason` is for logs and tests only; it never reaches the client (not a detail).
    """

    code = "UNAUTHENTICATED"

    def __init__(self, message: str = SIGN_IN_REFUSED, *, reason: str = "", **details: Any):
        super().__init__(message, **details)
        self.reason = reason


class Forbidden(DomainError):
    """The caller is known but lacks the scope (or role) this needs."""

    code = "FORBIDDEN"

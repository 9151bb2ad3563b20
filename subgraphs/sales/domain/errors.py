"""Errors of the sales context.

`code` is the GraphQL `extensions.code` (the hosting layer maps every `DomainError`);
`reason` is a finer, stable name a till can branch on (it travels as a detail, so it
reaches `extensions.reason`). A message always says what to do next.
"""

from __future__ import annotations

from typing import Any

from eventbus import Conflict, DomainError


class SaleInputError(DomainError):
    """A value the caller sent is not acceptable (BAD_USER_INPUT)."""

    def __init__(self, message: str, *, reason: str, field: str | None = None, **details: Any):
        super().__init__(message, field=field, reason=reason, **details)
        self.reason = reason


class CurrencyMismatch(SaleInputError):
    """An amount in another currency than the sale's (the store's)."""

    def __init__(self, given: str, expected: str, *, field: str):
        super().__init__(
            f"{field} is in {given} but this sale is in {expected}: enter the amount in {expected}",
            reason="CURRENCY_MISMATCH",
            field=field,
            given=given,
            expected=expected,
        )


class StateConflict(Conflict):
    """The command does not fit the current state (CONFLICT): reload and decide again."""

    def __init__(self, message: str, *, reason: str, field: str | None = None, **details: Any):
        super().__init__(message, field=field, reason=reason, **details)
        self.reason = reason


class ApprovalRequired(DomainError):
    """The rule needs a supervisor's approval and the command carries no approver.

    FORBIDDEN: the cashier may not do this alone; the till asks a supervisor to
    approve (the application checks the approver's scope) and sends the command again.
    """

    code = "FORBIDDEN"

    def __init__(self, message: str, *, reason: str, field: str | None = None, **details: Any):
        super().__init__(message, field=field, reason=reason, **details)
        self.reason = reason

"""The StaffMember aggregate: who may work the tills and the back office, and how they
prove it.

Pure: it holds secret *hashes* and is told whether a secret matched (the application
verifies with its hasher), and it is given the current time, so every rule here is
testable without I/O or a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Literal

from eventbus import Aggregate, Conflict, DomainError, DomainEvent
from subgraphs.staff.domain.errors import Unauthenticated
from subgraphs.staff.domain.events import (
    LockedOut,
    PasswordChanged,
    PinChanged,
    RoleGranted,
    RoleRevoked,
    SignedIn,
    SignInFailed,
    StaffDeactivated,
    StaffHired,
)
from subgraphs.staff.domain.roles import Role
from subgraphs.staff.domain.values import (
    LOCKOUT_DURATION,
    MAX_FAILED_SIGN_INS,
    parse_display_name,
)

Method = Literal["pwd", "pin"]


class StaffMember(Aggregate):
    context: ClassVar[str] = "staff"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.hired = False
        self.username = ""
        self.display_name = ""
        self.roles: list[Role] = []
        self.active = False
        self.password_hash = ""
        self.pin_hash = ""
        self.failed_sign_ins = 0
        self.locked_until: datetime | None = None

    @classmethod
    def hire(
        cls,
        staff_id: str,
        *,
        username: str,
        display_name: str,
        roles: Sequence[Role],
        password_hash: str,
        pin_hash: str,
        now: datetime,
    ) -> StaffMember:
        """A new, active member. `username` arrives parsed, secrets arrive hashed."""
        if not roles:
            raise DomainError("roles must name at least one role", field="roles")
        member = cls(staff_id)
        member._record(
            StaffHired(
                staff_id=staff_id,
                username=username,
                display_name=parse_display_name(display_name),
                roles=[Role(r).value for r in Role if r in set(roles)],
                password_hash=password_hash,
                pin_hash=pin_hash,
                hired_at=now,
            )
        )
        return member

    # -- roles ------------------------------------------------------------------------

    def grant(self, role: Role) -> bool:
        """Give `role`; False (and nothing recorded) when the member already holds it."""
        self._require_active("grant a role to")
        if role in self.roles:
            return False
        self._record(RoleGranted(staff_id=self.id, role=role.value))
        return True

    def revoke(self, role: Role, *, last_admin: bool = False) -> bool:
        """Take `role` away; False when not held. `last_admin`: the roster says this is
        the only active ADMIN, who must keep the role (someone has to manage staff)."""
        if role not in self.roles:
            return False
        if role is Role.ADMIN and last_admin:
            raise Conflict(
                f"{self.username} is the last ADMIN and cannot lose ADMIN: "
                "grant ADMIN to someone else first",
                field="role",
            )
        if len(self.roles) == 1:
            raise DomainError(
                f"{role.value} is {self.username}'s only role: grant another first, "
                "or deactivate the member",
                field="role",
            )
        self._record(RoleRevoked(staff_id=self.id, role=role.value))
        return True

    # -- secrets ----------------------------------------------------------------------

    def change_password(self, password_hash: str, now: datetime) -> None:
        self._require_active("change the password of")
        self._record(PasswordChanged(staff_id=self.id, password_hash=password_hash, changed_at=now))

    def change_pin(self, pin_hash: str, now: datetime) -> None:
        self._require_active("change the PIN of")
        self._record(PinChanged(staff_id=self.id, pin_hash=pin_hash, changed_at=now))

    # -- signing in -------------------------------------------------------------------

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def may_sign_in(self, now: datetime) -> bool:
        return self.active and not self.is_locked(now)

    def sign_in(
        self,
        *,
        method: Method,
        secret_matched: bool,
        session_id: str,
        now: datetime,
        register_id: str | None = None,
    ) -> None:
        """Record an attempt whose secret the application checked.

        Refused (`Unauthenticated`, one message for every cause) when deactivated or
        locked, whatever the secret; then nothing is recorded, so attempts while locked
        neither extend the lock nor fill the log. A wrong secret is recorded, and the
        MAX_FAILED_SIGN_INS-th in a row locks the member for LOCKOUT_DURATION; the
        caller must save those events before passing the error on.
        """
        if not self.active:
            raise Unauthenticated(reason="deactivated")
        if self.is_locked(now):
            raise Unauthenticated(reason="locked")
        if not secret_matched:
            self._failed(method, now)
            raise Unauthenticated(reason="wrong secret")
        self._record(
            SignedIn(
                staff_id=self.id,
                method=method,
                session_id=session_id,
                at=now,
                register_id=register_id,
            )
        )

    def confirm_password(self, *, secret_matched: bool, now: datetime) -> None:
        """A signed-in member proving their password again (to change it). A wrong one
        counts toward the lockout like a failed sign-in, so a stolen session cannot be
        used to guess the password; while locked, nothing is accepted."""
        if self.is_locked(now):
            raise Unauthenticated(reason="locked")
        if not secret_matched:
            self._failed("pwd", now)
            raise DomainError(
                "currentPassword is not your current password", field="currentPassword"
            )

    def _failed(self, method: Method, now: datetime) -> None:
        failures = self.failed_sign_ins + 1
        self._record(SignInFailed(staff_id=self.id, method=method, failures=failures, at=now))
        if failures >= MAX_FAILED_SIGN_INS:
            self._record(LockedOut(staff_id=self.id, until=now + LOCKOUT_DURATION))

    # -- leaving ----------------------------------------------------------------------

    def deactivate(self, now: datetime, *, last_admin: bool = False) -> None:
        if not self.active:
            raise Conflict(f"{self.username} is already deactivated", field="id")
        if Role.ADMIN in self.roles and last_admin:
            raise Conflict(
                f"{self.username} is the last ADMIN and cannot be deactivated: "
                "grant ADMIN to someone else first",
                field="id",
            )
        self._record(StaffDeactivated(staff_id=self.id, at=now))

    def _require_active(self, what: str) -> None:
        if not self.active:
            raise Conflict(f"cannot {what} {self.username}: deactivated", field="id")

    def apply(self, event: DomainEvent) -> None:
        match event:
            case StaffHired():
                self.hired = True
                self.username = event.username
                self.display_name = event.display_name
                self.roles = [Role(r) for r in event.roles]
                self.active = True
                self.password_hash = event.password_hash
                self.pin_hash = event.pin_hash
            case RoleGranted():
                granted = Role(event.role)
                self.roles = [r for r in Role if r in self.roles or r is granted]
            case RoleRevoked():
                self.roles = [r for r in self.roles if r.value != event.role]
            case PasswordChanged():
                self.password_hash = event.password_hash
            case PinChanged():
                self.pin_hash = event.pin_hash
            case SignedIn():
                self.failed_sign_ins = 0
            case SignInFailed():
                self.failed_sign_ins = event.failures
            case LockedOut():
                self.locked_until = event.until
                self.failed_sign_ins = 0
            case StaffDeactivated():
                self.active = False

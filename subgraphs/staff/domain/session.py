"""The Session aggregate: one sign-in's family of refresh tokens.

A refresh token is single-use: using it rotates the session to a new token, and the old
one joins `used`. Presenting a used token again means two parties hold the family (a
stolen token, or a replay), so the whole session is revoked and both lose it: the
legitimate user signs in again, the thief's copy is dead. Only digests are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from eventbus import Aggregate, DomainEvent
from subgraphs.staff.domain.errors import Unauthenticated
from subgraphs.staff.domain.events import RefreshTokenRotated, SessionRevoked, SessionStarted

REFRESH_TOKEN_LIFETIME = timedelta(hours=12)
"""A session's refresh tokens are refused 12 h after sign-in (a shift); rotation keeps
the deadline, so an hour-long chain of refreshes cannot outlive it."""

REUSED = "refresh token reused"
SIGNED_OUT = "signed out"
DEACTIVATED = "staff deactivated"


@dataclass(frozen=True)
class Rotation:
    """What using a refresh token did: `revoked` when it was a replay of a used one."""

    revoked: bool


class Session(Aggregate):
    context: ClassVar[str] = "staff"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.staff_id = ""
        self.method = ""
        self.register_id: str | None = None
        self.current_hash = ""
        self.used: set[str] = set()
        self.expires_at: datetime | None = None
        self.revoked_reason: str | None = None

    @classmethod
    def start(
        cls,
        session_id: str,
        *,
        staff_id: str,
        token_hash: str,
        method: str,
        now: datetime,
        register_id: str | None = None,
    ) -> Session:
        session = cls(session_id)
        session._record(
            SessionStarted(
                session_id=session_id,
                staff_id=staff_id,
                token_hash=token_hash,
                method=method,
                started_at=now,
                expires_at=now + REFRESH_TOKEN_LIFETIME,
                register_id=register_id,
            )
        )
        return session

    @property
    def revoked(self) -> bool:
        return self.revoked_reason is not None

    def is_live(self, now: datetime) -> bool:
        return not self.revoked and self.expires_at is not None and now < self.expires_at

    def rotate(self, presented_hash: str, new_hash: str, now: datetime) -> Rotation:
        """Use the refresh token with digest `presented_hash`, replacing it by `new_hash`.

        A used token revokes the session (returned as `Rotation(revoked=True)`: save,
        then refuse). An unknown token, an expired or revoked session: `Unauthenticated`.
        """
        if presented_hash in self.used and not self.revoked:
            self._record(SessionRevoked(session_id=self.id, reason=REUSED, at=now))
            return Rotation(revoked=True)
        if presented_hash != self.current_hash or self.revoked:
            raise Unauthenticated(reason="unknown or revoked refresh token")
        if not self.is_live(now):
            raise Unauthenticated(reason="refresh token expired")
        self._record(RefreshTokenRotated(session_id=self.id, token_hash=new_hash, at=now))
        return Rotation(revoked=False)

    def revoke(self, reason: str, now: datetime) -> bool:
        """End the session; False when it had already ended."""
        if self.revoked:
            return False
        self._record(SessionRevoked(session_id=self.id, reason=reason, at=now))
        return True

    def apply(self, event: DomainEvent) -> None:
        match event:
            case SessionStarted():
                self.staff_id = event.staff_id
                self.method = event.method
                self.register_id = event.register_id
                self.current_hash = event.token_hash
                self.expires_at = event.expires_at
            case RefreshTokenRotated():
                self.used.add(self.current_hash)
                self.current_hash = event.token_hash
            case SessionRevoked():
                self.revoked_reason = event.reason

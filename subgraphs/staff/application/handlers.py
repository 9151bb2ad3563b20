"""Staff command handlers: validate, load, decide, save in one unit of work.

Secrets are checked against the domain's rules, then hashed here (argon2id, in a worker
thread so the event loop keeps serving) before any aggregate sees them. Sign-in answers
every failure with the same `Unauthenticated` message, and always runs one argon2
verification (a dummy one for an unknown username), so neither the answer nor its timing
tells whether a username exists.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from eventbus import Conflict, DomainError, EventStore
from eventbus.repository import EventSourcedRepository
from subgraphs.hosting.commands import Handled
from subgraphs.staff.application.commands import (
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
from subgraphs.staff.application.ports import Clock, SecretHasher, utcnow
from subgraphs.staff.domain import (
    ROSTER_ID,
    AdminRoster,
    Method,
    Role,
    Session,
    StaffMember,
    Unauthenticated,
    UsernameClaim,
    check_password,
    check_pin,
    parse_display_name,
    parse_id,
    parse_role,
    parse_roles,
    parse_username,
    username_claim_id,
)
from subgraphs.staff.domain.session import DEACTIVATED, SIGNED_OUT
from subgraphs.staff.security.tokens import TokenIssuer

REGISTER_ID_MAX = 64


@dataclass(frozen=True)
class Authenticated:
    """A signed-in session: the access token and the one-time refresh token (shown once)."""

    member: StaffMember
    session_id: str
    access_token: str
    expires_at: datetime
    refresh_token: str


def refresh_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_refresh_token(session_id: str) -> str:
    """Opaque to clients: the session's id (to find it) and 256 random bits."""
    return f"{UUID(session_id).hex}.{secrets.token_urlsafe(32)}"


def session_of(token: str) -> str | None:
    """The session id a refresh token names, or None for anything not of our shape."""
    head, dot, tail = token.partition(".")
    if not dot or not tail or len(token) > 200:
        return None
    try:
        return str(UUID(hex=head))
    except ValueError:
        return None


class StaffHandlers:
    def __init__(
        self,
        store: EventStore,
        hasher: SecretHasher,
        tokens: TokenIssuer | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.store = store
        self.hasher = hasher
        self.tokens = tokens
        self.clock = clock
        self.members = EventSourcedRepository(store, StaffMember)
        self.claims = EventSourcedRepository(store, UsernameClaim)
        self.rosters = EventSourcedRepository(store, AdminRoster)
        self.sessions = EventSourcedRepository(store, Session)

    # -- managing staff ---------------------------------------------------------------

    async def hire(self, command: HireStaff) -> Handled[StaffMember]:
        username = parse_username(command.username)
        display_name = parse_display_name(command.display_name)
        roles = parse_roles(command.roles)
        password = check_password(command.password)
        pin = check_pin(command.pin)
        staff_id = (
            parse_id(command.staff_id, "staffId") if command.staff_id is not None else str(uuid4())
        )
        if await self.members.get(staff_id) is not None:
            raise Conflict(f"staff member {staff_id} already exists", field="staffId")
        claim = await self.claims.get(username_claim_id(username)) or UsernameClaim.blank(username)
        claim.claim(username, staff_id)
        password_hash = await asyncio.to_thread(self.hasher.hash, password)
        pin_hash = await asyncio.to_thread(self.hasher.hash, pin)
        member = StaffMember.hire(
            staff_id,
            username=username,
            display_name=display_name,
            roles=roles,
            password_hash=password_hash,
            pin_hash=pin_hash,
            now=self.clock(),
        )
        roster = await self._roster()
        if Role.ADMIN in roles:
            roster.enrol(staff_id)
        async with self.store.unit_of_work() as uow:
            envelopes = await self.claims.save(claim, uow=uow)
            envelopes += await self.members.save(member, uow=uow)
            envelopes += await self.rosters.save(roster, uow=uow)
        return Handled(member, envelopes)

    async def grant_role(self, command: GrantRole) -> Handled[StaffMember]:
        role = parse_role(command.role)
        member = await self._member(command.staff_id)
        roster = await self._roster()
        if member.grant(role) and role is Role.ADMIN:
            roster.enrol(member.id)
        return await self._save(member, roster)

    async def revoke_role(self, command: RevokeRole) -> Handled[StaffMember]:
        role = parse_role(command.role)
        member = await self._member(command.staff_id)
        roster = await self._roster()
        if member.revoke(role, last_admin=roster.is_last_admin(member.id)) and role is Role.ADMIN:
            roster.withdraw(member.id)
        return await self._save(member, roster)

    async def deactivate(self, command: DeactivateStaff) -> Handled[StaffMember]:
        member = await self._member(command.staff_id)
        roster = await self._roster()
        member.deactivate(self.clock(), last_admin=roster.is_last_admin(member.id))
        roster.withdraw(member.id)
        return await self._save(member, roster)

    async def reset_secret(self, command: ResetSecret) -> Handled[StaffMember]:
        if command.password is None and command.pin is None:
            raise DomainError("give a new password, a new pin, or both", field="password")
        password = check_password(command.password) if command.password is not None else None
        pin = check_pin(command.pin) if command.pin is not None else None
        member = await self._member(command.staff_id)
        now = self.clock()
        if password is not None:
            member.change_password(await asyncio.to_thread(self.hasher.hash, password), now)
        if pin is not None:
            member.change_pin(await asyncio.to_thread(self.hasher.hash, pin), now)
        return Handled(member, await self.members.save(member))

    async def change_my_password(self, command: ChangeMyPassword) -> Handled[StaffMember]:
        new_password = check_password(command.new_password, "newPassword")
        member = await self._member(command.staff_id)
        matched = await asyncio.to_thread(
            self.hasher.verify, member.password_hash, command.current_password
        )
        try:
            member.confirm_password(secret_matched=matched, now=self.clock())
        except DomainError:
            await self.members.save(member)  # the failure (and any lockout) counts
            raise
        if new_password == command.current_password:
            raise DomainError(
                "newPassword must differ from the current password", field="newPassword"
            )
        member.change_password(
            await asyncio.to_thread(self.hasher.hash, new_password), self.clock()
        )
        return Handled(member, await self.members.save(member))

    # -- signing in -------------------------------------------------------------------

    async def sign_in(self, command: SignIn) -> Handled[Authenticated]:
        return await self._sign_in(command.username, command.password, "pwd", None)

    async def sign_in_with_pin(self, command: SignInWithPin) -> Handled[Authenticated]:
        register = command.register_id.strip() if command.register_id is not None else None
        if register is not None and not 0 < len(register) <= REGISTER_ID_MAX:
            raise DomainError(
                f"registerId must be 1 to {REGISTER_ID_MAX} characters", field="registerId"
            )
        return await self._sign_in(command.username, command.pin, "pin", register)

    async def _sign_in(
        self, raw_username: str, secret: str, method: Method, register_id: str | None
    ) -> Handled[Authenticated]:
        member = await self._member_named(raw_username)
        if member is None:
            await asyncio.to_thread(self.hasher.dummy_verify, secret)
            raise Unauthenticated(reason="unknown username")
        stored = member.password_hash if method == "pwd" else member.pin_hash
        # Verified even when locked or deactivated: the same work, whatever the cause.
        matched = await asyncio.to_thread(self.hasher.verify, stored, secret)
        session_id = str(uuid4())
        now = self.clock()
        try:
            member.sign_in(
                method=method,
                secret_matched=matched,
                session_id=session_id,
                now=now,
                register_id=register_id,
            )
        except Unauthenticated:
            await self.members.save(member)  # the failure (and any lockout) counts
            raise
        refresh_token = new_refresh_token(session_id)
        session = Session.start(
            session_id,
            staff_id=member.id,
            token_hash=refresh_digest(refresh_token),
            method=method,
            now=now,
            register_id=register_id,
        )
        async with self.store.unit_of_work() as uow:
            envelopes = await self.members.save(member, uow=uow)
            envelopes += await self.sessions.save(session, uow=uow)
        return Handled(self._authenticated(member, session, refresh_token), envelopes)

    async def refresh(self, command: RefreshSession) -> Handled[Authenticated]:
        session = await self._session(command.refresh_token)
        if session is None:
            raise Unauthenticated(reason="unknown refresh token")
        now = self.clock()
        refresh_token = new_refresh_token(session.id)
        rotation = session.rotate(
            refresh_digest(command.refresh_token), refresh_digest(refresh_token), now
        )
        if rotation.revoked:
            await self.sessions.save(session)
            raise Unauthenticated(reason="refresh token reused: session revoked")
        member = await self.members.load(session.staff_id)
        if not member.active:
            session = await self._session_or_fail(session.id)
            session.revoke(DEACTIVATED, now)
            await self.sessions.save(session)
            raise Unauthenticated(reason="deactivated")
        envelopes = await self.sessions.save(session)
        return Handled(self._authenticated(member, session, refresh_token), envelopes)

    async def sign_out(self, command: SignOut) -> Handled[bool]:
        """End the session the token belongs to (current or used); False if there is none."""
        session = await self._session(command.refresh_token)
        if session is None:
            return Handled(False)
        digest = refresh_digest(command.refresh_token)
        if digest != session.current_hash and digest not in session.used:
            return Handled(False)
        if not session.revoke(SIGNED_OUT, self.clock()):
            return Handled(False)
        return Handled(True, await self.sessions.save(session))

    # -- helpers ----------------------------------------------------------------------

    def _authenticated(
        self, member: StaffMember, session: Session, refresh_token: str
    ) -> Authenticated:
        if self.tokens is None:
            raise RuntimeError("these StaffHandlers were built without a TokenIssuer")
        issued = self.tokens.issue(
            staff_id=member.id,
            username=member.username,
            name=member.display_name,
            roles=member.roles,
            session_id=session.id,
            method=session.method,
            register_id=session.register_id,
        )
        return Authenticated(member, session.id, issued.token, issued.expires_at, refresh_token)

    async def member_by_username(self, raw_username: str) -> StaffMember | None:
        """The member holding `raw_username` (write model: no read-model lag), or None."""
        return await self._member_named(raw_username)

    async def _member_named(self, raw_username: str) -> StaffMember | None:
        try:
            username = parse_username(raw_username)
        except DomainError:
            return None
        claim = await self.claims.get(username_claim_id(username))
        if claim is None or claim.owner_id is None:
            return None
        return await self.members.get(claim.owner_id)

    async def _session(self, token: str) -> Session | None:
        session_id = session_of(token)
        return await self.sessions.get(session_id) if session_id is not None else None

    async def _session_or_fail(self, session_id: str) -> Session:
        return await self.sessions.load(session_id)

    async def _member(self, raw_id: str) -> StaffMember:
        return await self.members.load(parse_id(raw_id, "id"))

    async def _roster(self) -> AdminRoster:
        return await self.rosters.get(ROSTER_ID) or AdminRoster()

    async def _save(self, member: StaffMember, roster: AdminRoster) -> Handled[StaffMember]:
        async with self.store.unit_of_work() as uow:
            envelopes = await self.members.save(member, uow=uow)
            envelopes += await self.rosters.save(roster, uow=uow)
        return Handled(member, envelopes)

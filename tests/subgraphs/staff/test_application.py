"""Staff command handlers against a real event store (SQLite and PostgreSQL): signing in,
lockout, sessions, and the rules that need more than one stream."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import jwt
import pytest

from eventbus import Conflict, DomainError
from eventbus.sqlstore import SqlEventStore
from subgraphs.hosting.commands import execute
from subgraphs.staff.application import (
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
    StaffHandlers,
    seed_demo_staff,
)
from subgraphs.staff.domain import SIGN_IN_REFUSED, Unauthenticated
from subgraphs.staff.security import Argon2Hasher, StaffIdentity
from tests.subgraphs.staff.support import FakeClock

PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path, h6_pg_url: str
) -> AsyncIterator[SqlEventStore]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'staff.db'}" if request.param == "sqlite" else h6_pg_url
    store = SqlEventStore(url)
    await store.start()
    yield store
    await store.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def identity(tmp_path: Path, clock: FakeClock) -> StaffIdentity:
    return StaffIdentity(tmp_path / "keys", clock=clock)


@pytest.fixture
def handlers(store: SqlEventStore, identity: StaffIdentity, clock: FakeClock) -> StaffHandlers:
    return StaffHandlers(store, Argon2Hasher.for_tests(), identity.tokens, clock)


def unique(prefix: str = "ada") -> str:
    return f"{prefix}{uuid4().hex[:8]}"


async def hire(handlers: StaffHandlers, *roles: str, username: str | None = None) -> str:
    command = HireStaff(
        username=username or unique(),
        display_name="Ada Lovelace",
        roles=list(roles) or ["CASHIER"],
        password=PASSWORD,
        pin="2468",
    )
    return (await execute(handlers.hire, command)).value.username


async def refused(handlers: StaffHandlers, username: str, password: str) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as err:
        await execute(handlers.sign_in, SignIn(username, password))
    assert err.value.message == SIGN_IN_REFUSED
    return err.value


async def test_sign_in_gives_a_verifiable_access_token_and_a_refresh_token(
    handlers: StaffHandlers, identity: StaffIdentity
) -> None:
    username = await hire(handlers, "MANAGER")
    done = (await execute(handlers.sign_in, SignIn(username.upper(), PASSWORD))).value
    claims = identity.verify(done.access_token)
    assert claims["sub"] == done.member.id
    assert claims["username"] == username and claims["amr"] == ["pwd"]
    assert claims["sid"] == done.session_id
    assert "staff:read" in claims["scope"].split()
    assert done.refresh_token.count(".") == 1 and len(done.refresh_token) > 40


async def test_pin_sign_in_names_the_register(
    handlers: StaffHandlers, identity: StaffIdentity
) -> None:
    username = await hire(handlers)
    command = SignInWithPin(username, "2468", register_id="till-3")
    claims = identity.verify((await execute(handlers.sign_in_with_pin, command)).value.access_token)
    assert claims["amr"] == ["pin"] and claims["register"] == "till-3"
    with pytest.raises(Unauthenticated):
        await execute(handlers.sign_in_with_pin, SignInWithPin(username, "1357"))


async def test_unknown_user_and_wrong_password_answer_the_same(handlers: StaffHandlers) -> None:
    username = await hire(handlers)
    wrong = await refused(handlers, username, "not the password")
    unknown = await refused(handlers, unique("ghost"), PASSWORD)
    assert (wrong.code, wrong.message, wrong.field, wrong.details) == (
        unknown.code,
        unknown.message,
        unknown.field,
        unknown.details,
    )


async def test_an_unknown_username_still_costs_an_argon2_verify(
    store: SqlEventStore, identity: StaffIdentity
) -> None:
    slow = Argon2Hasher(time_cost=2, memory_cost=16384, parallelism=1)
    handlers = StaffHandlers(store, slow, identity.tokens)
    username = await hire(handlers)
    slow.dummy_verify("warm up")
    started = time.perf_counter()
    await refused(handlers, unique("ghost"), PASSWORD)
    unknown = time.perf_counter() - started
    started = time.perf_counter()
    await refused(handlers, username, "not the password")
    wrong = time.perf_counter() - started
    assert unknown > 0.3 * wrong  # one verify each (no early answer for unknown names)


async def test_five_failures_lock_for_fifteen_minutes_then_the_member_can_sign_in(
    handlers: StaffHandlers, clock: FakeClock
) -> None:
    username = await hire(handlers)
    for _ in range(5):
        await refused(handlers, username, "guess guess guess")
    await refused(handlers, username, PASSWORD)  # locked: even the right password
    member = await handlers.member_by_username(username)
    assert member is not None and member.locked_until == clock.now + timedelta(minutes=15)
    clock.advance(timedelta(minutes=14, seconds=59))
    await refused(handlers, username, PASSWORD)
    clock.advance(timedelta(seconds=1))
    done = (await execute(handlers.sign_in, SignIn(username, PASSWORD))).value
    assert done.member.failed_sign_ins == 0


async def test_wrong_current_passwords_count_toward_the_lockout(
    handlers: StaffHandlers, clock: FakeClock
) -> None:
    """A stolen session cannot be used to guess the password through changeMyPassword."""
    username = await hire(handlers)
    member = await handlers.member_by_username(username)
    assert member is not None
    for _ in range(5):
        with pytest.raises(DomainError, match="not your current password"):
            await execute(
                handlers.change_my_password,
                ChangeMyPassword(member.id, "guess guess guess", "a new password"),
            )
    await refused(handlers, username, PASSWORD)  # locked, for sign-in too
    with pytest.raises(Unauthenticated):  # and the right password is not taken either
        await execute(
            handlers.change_my_password, ChangeMyPassword(member.id, PASSWORD, "a new password")
        )
    clock.advance(timedelta(minutes=15))
    await execute(handlers.sign_in, SignIn(username, PASSWORD))


async def test_refresh_rotates_and_reuse_revokes_the_whole_family(
    handlers: StaffHandlers, identity: StaffIdentity
) -> None:
    username = await hire(handlers)
    first = (await execute(handlers.sign_in, SignIn(username, PASSWORD))).value
    second = (await execute(handlers.refresh, RefreshSession(first.refresh_token))).value
    assert second.refresh_token != first.refresh_token
    assert second.session_id == first.session_id
    assert identity.verify(second.access_token)["jti"] != identity.verify(first.access_token)["jti"]
    with pytest.raises(Unauthenticated) as err:  # a replay of the used token
        await execute(handlers.refresh, RefreshSession(first.refresh_token))
    assert err.value.message == SIGN_IN_REFUSED
    with pytest.raises(Unauthenticated):  # ...and the newest token died with the family
        await execute(handlers.refresh, RefreshSession(second.refresh_token))
    session = await handlers.sessions.load(first.session_id)
    assert session.revoked_reason == "refresh token reused"


async def test_refresh_tokens_expire_after_twelve_hours(
    handlers: StaffHandlers, clock: FakeClock
) -> None:
    username = await hire(handlers)
    done = (await execute(handlers.sign_in, SignIn(username, PASSWORD))).value
    clock.advance(timedelta(hours=12))
    with pytest.raises(Unauthenticated):
        await execute(handlers.refresh, RefreshSession(done.refresh_token))


async def test_garbage_refresh_tokens_are_refused(handlers: StaffHandlers) -> None:
    for token in ("", "abc", f"{uuid4().hex}.x", "x" * 300):
        with pytest.raises(Unauthenticated):
            await execute(handlers.refresh, RefreshSession(token))


async def test_sign_out_ends_the_session(handlers: StaffHandlers) -> None:
    username = await hire(handlers)
    done = (await execute(handlers.sign_in, SignIn(username, PASSWORD))).value
    assert (await execute(handlers.sign_out, SignOut(done.refresh_token))).value is True
    assert (await execute(handlers.sign_out, SignOut(done.refresh_token))).value is False
    with pytest.raises(Unauthenticated):
        await execute(handlers.refresh, RefreshSession(done.refresh_token))


async def test_deactivated_members_can_neither_sign_in_nor_refresh(
    handlers: StaffHandlers,
) -> None:
    username = await hire(handlers)
    done = (await execute(handlers.sign_in, SignIn(username, PASSWORD))).value
    await execute(handlers.deactivate, DeactivateStaff(done.member.id))
    await refused(handlers, username, PASSWORD)
    with pytest.raises(Unauthenticated):
        await execute(handlers.refresh, RefreshSession(done.refresh_token))
    session = await handlers.sessions.load(done.session_id)
    assert session.revoked_reason == "staff deactivated"


async def test_usernames_are_unique_whatever_the_case(handlers: StaffHandlers) -> None:
    username = await hire(handlers)
    with pytest.raises(Conflict, match="already taken"):
        await hire(handlers, username=username.upper())


async def test_the_last_admin_keeps_admin(store: SqlEventStore, handlers: StaffHandlers) -> None:
    # A fresh store per test on SQLite; on PostgreSQL the roster is shared by the session,
    # so make sure this test's admin is the only one left.
    roster = await handlers._roster()
    for other in list(roster.admins):
        member = await handlers.members.load(other)
        if member.active:
            await execute(handlers.grant_role, GrantRole(other, "CASHIER"))
            await execute(handlers.revoke_role, RevokeRole(other, "ADMIN"))
    username = await hire(handlers, "ADMIN", "CASHIER")
    admin = await handlers.member_by_username(username)
    assert admin is not None
    with pytest.raises(Conflict, match="last ADMIN"):
        await execute(handlers.revoke_role, RevokeRole(admin.id, "ADMIN"))
    with pytest.raises(Conflict, match="last ADMIN"):
        await execute(handlers.deactivate, DeactivateStaff(admin.id))
    second = await handlers.member_by_username(await hire(handlers, "ADMIN"))
    assert second is not None
    revoked = (await execute(handlers.revoke_role, RevokeRole(admin.id, "ADMIN"))).value
    assert [r.value for r in revoked.roles] == ["CASHIER"]
    with pytest.raises(Conflict, match="last ADMIN"):
        await execute(handlers.deactivate, DeactivateStaff(second.id))


async def test_reset_and_change_password(handlers: StaffHandlers) -> None:
    username = await hire(handlers)
    member = await handlers.member_by_username(username)
    assert member is not None
    with pytest.raises(DomainError, match="at least 10"):
        await execute(handlers.reset_secret, ResetSecret(member.id, password="short"))
    with pytest.raises(DomainError, match="give a new password"):
        await execute(handlers.reset_secret, ResetSecret(member.id))
    await execute(
        handlers.reset_secret, ResetSecret(member.id, password="reset by admin", pin="9753")
    )
    await refused(handlers, username, PASSWORD)
    await execute(handlers.sign_in_with_pin, SignInWithPin(username, "9753"))
    with pytest.raises(DomainError, match="not your current password") as err:
        await execute(
            handlers.change_my_password, ChangeMyPassword(member.id, PASSWORD, "a new password")
        )
    assert err.value.field == "currentPassword"
    await execute(
        handlers.change_my_password,
        ChangeMyPassword(member.id, "reset by admin", "a new password"),
    )
    await execute(handlers.sign_in, SignIn(username, "a new password"))


async def test_demo_staff_are_seeded_once_and_can_sign_in(
    store: SqlEventStore, handlers: StaffHandlers, identity: StaffIdentity
) -> None:
    await seed_demo_staff(handlers)
    assert await seed_demo_staff(store, hasher=Argon2Hasher.for_tests()) == 0
    for username, password, pin, role in [
        ("admin", "admin-demo-pass", "1234", "ADMIN"),
        ("manager", "manager-demo-pass", "2345", "MANAGER"),
        ("supervisor", "supervisor-demo-pass", "3456", "SUPERVISOR"),
        ("cashier", "cashier-demo-pass", "4567", "CASHIER"),
    ]:
        done = (await execute(handlers.sign_in, SignIn(username, password))).value
        assert identity.verify(done.access_token)["roles"] == [role]
        await execute(handlers.sign_in_with_pin, SignInWithPin(username, pin))


async def test_tokens_from_another_issuer_are_refused(
    handlers: StaffHandlers, tmp_path: Path
) -> None:
    username = await hire(handlers)
    done = (await execute(handlers.sign_in, SignIn(username, PASSWORD))).value
    stranger = StaffIdentity(tmp_path / "other-keys")
    with pytest.raises(jwt.InvalidTokenError):
        stranger.verify(done.access_token)

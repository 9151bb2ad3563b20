"""The staff domain's rules, with no I/O: validation, roles and scopes, lockout, sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from eventbus import Conflict, DomainError
from subgraphs.staff.domain import (
    LOCKOUT_DURATION,
    MAX_FAILED_SIGN_INS,
    AdminRoster,
    LockedOut,
    RefreshTokenRotated,
    Role,
    Session,
    SessionRevoked,
    SignedIn,
    SignInFailed,
    StaffMember,
    Unauthenticated,
    UsernameClaim,
    check_password,
    check_pin,
    parse_display_name,
    parse_roles,
    parse_username,
    scopes_for,
    username_claim_id,
)
from subgraphs.staff.domain.errors import SIGN_IN_REFUSED

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def member(*roles: Role) -> StaffMember:
    hired = StaffMember.hire(
        str(uuid4()),
        username="ada",
        display_name="Ada  Lovelace",
        roles=list(roles) or [Role.CASHIER],
        password_hash="$argon2id$pw",
        pin_hash="$argon2id$pin",
        now=NOW,
    )
    hired.collect()
    return hired


def sign_in(m: StaffMember, matched: bool, now: datetime = NOW) -> None:
    m.sign_in(method="pwd", secret_matched=matched, session_id=str(uuid4()), now=now)


# -- input rules --------------------------------------------------------------------------


def test_passwords_need_at_least_ten_characters() -> None:
    with pytest.raises(DomainError, match="at least 10 characters") as err:
        check_password("123456789")
    assert err.value.field == "password"
    assert check_password("1234567890") == "1234567890"
    with pytest.raises(DomainError, match="only spaces"):
        check_password(" " * 12)


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "12 34", "", "١٢٣٤"])
def test_pins_are_four_to_eight_digits(pin: str) -> None:
    with pytest.raises(DomainError, match="4 to 8 digits") as err:
        check_pin(pin)
    assert err.value.field == "pin"


def test_good_pins_pass_unchanged() -> None:
    assert [check_pin(p) for p in ("0000", "12345678")] == ["0000", "12345678"]


def test_usernames_are_lower_case_and_restricted() -> None:
    assert parse_username("  Ada.L ") == "ada.l"
    for bad in ("ab", "x" * 33, "ada lovelace", "-ada", "ad@m"):
        with pytest.raises(DomainError) as err:
            parse_username(bad)
        assert err.value.field == "username"


def test_display_names_are_trimmed_and_bounded() -> None:
    assert parse_display_name("  Ada   Lovelace ") == "Ada Lovelace"
    with pytest.raises(DomainError, match="must not be empty"):
        parse_display_name("   ")
    with pytest.raises(DomainError, match="at most 100"):
        parse_display_name("x" * 101)


def test_roles_are_known_and_at_least_one() -> None:
    assert parse_roles(["manager", "CASHIER", "cashier"]) == [Role.CASHIER, Role.MANAGER]
    with pytest.raises(DomainError, match="not a role"):
        parse_roles(["OWNER"])
    with pytest.raises(DomainError, match="at least one role"):
        parse_roles([])


# -- scopes (docs/access.md) ----------------------------------------------------------------

SELL = {"sales:write", "customers:read", "customers:write", "orders:read", "orders:write"}
SELL |= {"stock:read"}
APPROVE = {"discounts:approve", "sales:void", "refunds:write", "stock:receive"}
RUN = {
    "stock:adjust",
    "catalog:write",
    "prices:write",
    "reports:read",
    "staff:read",
    "stores:manage",
}


def test_each_role_grants_exactly_its_column_of_the_matrix() -> None:
    assert set(scopes_for([Role.CASHIER])) == SELL
    assert set(scopes_for([Role.SUPERVISOR])) == SELL | APPROVE
    assert set(scopes_for([Role.MANAGER])) == SELL | APPROVE | RUN
    assert set(scopes_for([Role.ADMIN])) == SELL | APPROVE | RUN | {"staff:manage"}


def test_scopes_of_several_roles_add_up_sorted() -> None:
    scopes = scopes_for([Role.CASHIER, Role.SUPERVISOR])
    assert scopes == sorted(SELL | APPROVE)
    assert "staff:manage" not in scopes_for([Role.MANAGER])


# -- hiring and roles -----------------------------------------------------------------------


def test_hiring_records_the_member_active_with_hashes_only() -> None:
    m = StaffMember.hire(
        "s1",
        username="ada",
        display_name=" Ada ",
        roles=[Role.MANAGER, Role.CASHIER],
        password_hash="H1",
        pin_hash="H2",
        now=NOW,
    )
    (hired,) = m.collect()
    assert hired.event_type == "pos.staff.StaffHired.v1"
    assert hired.payload()["roles"] == ["CASHIER", "MANAGER"]
    assert m.active and m.display_name == "Ada" and m.password_hash == "H1"


def test_grant_and_revoke_change_roles_and_repeat_as_no_ops() -> None:
    m = member(Role.CASHIER)
    assert m.grant(Role.SUPERVISOR) is True
    assert m.grant(Role.SUPERVISOR) is False
    assert m.roles == [Role.CASHIER, Role.SUPERVISOR]
    assert m.revoke(Role.CASHIER) is True
    assert m.revoke(Role.CASHIER) is False
    assert m.roles == [Role.SUPERVISOR]
    assert [e.event_type for e in m.collect()] == [
        "pos.staff.RoleGranted.v1",
        "pos.staff.RoleRevoked.v1",
    ]


def test_the_last_admin_cannot_lose_admin_nor_be_deactivated() -> None:
    m = member(Role.ADMIN, Role.CASHIER)
    with pytest.raises(Conflict, match="last ADMIN") as err:
        m.revoke(Role.ADMIN, last_admin=True)
    assert err.value.field == "role"
    with pytest.raises(Conflict, match="last ADMIN"):
        m.deactivate(NOW, last_admin=True)
    assert m.revoke(Role.ADMIN, last_admin=False) is True


def test_the_only_role_cannot_be_revoked() -> None:
    with pytest.raises(DomainError, match="only role"):
        member(Role.CASHIER).revoke(Role.CASHIER)


def test_a_deactivated_member_gets_no_new_roles_or_secrets() -> None:
    m = member()
    m.deactivate(NOW)
    with pytest.raises(Conflict, match="already deactivated"):
        m.deactivate(NOW)
    with pytest.raises(Conflict, match="deactivated"):
        m.grant(Role.MANAGER)
    with pytest.raises(Conflict, match="deactivated"):
        m.change_password("H", NOW)


def test_the_admin_roster_knows_the_last_admin() -> None:
    roster = AdminRoster()
    roster.enrol("a")
    assert roster.is_last_admin("a")
    roster.enrol("b")
    assert not roster.is_last_admin("a")
    roster.withdraw("b")
    assert roster.is_last_admin("a") and not roster.is_last_admin("b")


def test_usernames_are_claimed_once() -> None:
    assert username_claim_id("Ada") == username_claim_id("ada ")
    claim = UsernameClaim.blank("ada")
    claim.claim("ada", "s1")
    claim.claim("ada", "s1")  # the owner again: nothing new
    assert len(claim.collect()) == 1
    with pytest.raises(Conflict, match="already taken") as err:
        claim.claim("ada", "s2")
    assert err.value.field == "username"


# -- signing in -----------------------------------------------------------------------------


def test_a_right_secret_signs_in_and_resets_the_failure_count() -> None:
    m = member()
    with pytest.raises(Unauthenticated):
        sign_in(m, False)
    assert m.failed_sign_ins == 1
    sign_in(m, True)
    assert m.failed_sign_ins == 0
    assert [type(e) for e in m.collect()] == [SignInFailed, SignedIn]


def test_five_failures_in_a_row_lock_for_fifteen_minutes() -> None:
    assert (5, timedelta(minutes=15)) == (MAX_FAILED_SIGN_INS, LOCKOUT_DURATION)
    m = member()
    for _ in range(5):
        with pytest.raises(Unauthenticated) as err:
            sign_in(m, False)
        assert err.value.message == SIGN_IN_REFUSED
    events = m.collect()
    assert isinstance(events[-1], LockedOut) and events[-1].until == NOW + LOCKOUT_DURATION
    assert m.is_locked(NOW + timedelta(minutes=14, seconds=59))
    with pytest.raises(Unauthenticated) as err:
        sign_in(m, True, NOW + timedelta(minutes=14))  # even the right secret
    assert err.value.message == SIGN_IN_REFUSED
    assert m.collect() == []  # attempts while locked record nothing
    sign_in(m, True, NOW + LOCKOUT_DURATION)
    assert isinstance(m.collect()[0], SignedIn)


def test_deactivated_members_cannot_sign_in_even_with_the_right_secret() -> None:
    m = member()
    m.deactivate(NOW)
    with pytest.raises(Unauthenticated) as err:
        sign_in(m, True)
    assert err.value.message == SIGN_IN_REFUSED
    assert err.value.details == {}  # the reason never reaches the client


# -- sessions -------------------------------------------------------------------------------


def started() -> Session:
    session = Session.start("sid", staff_id="s1", token_hash="t1", method="pwd", now=NOW)
    session.collect()
    return session


def test_refresh_rotates_to_a_new_token() -> None:
    session = started()
    assert session.rotate("t1", "t2", NOW).revoked is False
    assert session.current_hash == "t2" and "t1" in session.used
    assert isinstance(session.collect()[0], RefreshTokenRotated)


def test_reusing_a_used_refresh_token_revokes_the_session() -> None:
    session = started()
    session.rotate("t1", "t2", NOW)
    assert session.rotate("t1", "t3", NOW).revoked is True
    assert session.revoked_reason == "refresh token reused"
    with pytest.raises(Unauthenticated):
        session.rotate("t2", "t4", NOW)  # the family is dead for the other holder too


def test_refresh_tokens_expire_after_twelve_hours() -> None:
    session = started()
    session.rotate("t1", "t2", NOW + timedelta(hours=11))
    with pytest.raises(Unauthenticated):
        session.rotate("t2", "t3", NOW + timedelta(hours=12))


def test_unknown_tokens_and_revoked_sessions_are_refused() -> None:
    session = started()
    with pytest.raises(Unauthenticated):
        session.rotate("nope", "t2", NOW)
    assert session.revoke("signed out", NOW) is True
    assert session.revoke("signed out", NOW) is False
    assert isinstance(session.collect()[0], SessionRevoked)
    with pytest.raises(Unauthenticated):
        session.rotate("t1", "t2", NOW)

"""The staff subgraph through its app: sign-in and sessions, staff management under
staff:manage, the staff list under staff:read, `me`, and the JWKS route."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from subgraphs.hosting.app import create_subgraph_app
from subgraphs.staff import JWKS_PATH, StaffContext, StaffIdentity
from subgraphs.staff.application import seed_demo_staff
from subgraphs.staff.security import Argon2Hasher
from tests.subgraphs.hosting.harness import Harness, running
from tests.subgraphs.staff.callers import caller_client
from tests.subgraphs.staff.support import FakeClock

REFUSED = "Wrong username or password, or the account is locked"
MEMBER = "id username displayName roles active lockedUntil"
SESSION = f"accessToken refreshToken expiresAt tokenType staff {{ {MEMBER} }}"
SIGN_IN = f"""mutation($u: String!, $p: String!) {{
  signIn(input: {{username: $u, password: $p}}) {{ {SESSION} }} }}"""
HIRE = f"""mutation($u: String!, $roles: [StaffRole!]!, $p: String!, $pin: String!) {{
  hireStaff(input: {{username: $u, displayName: "New  Hire", roles: $roles,
                     password: $p, pin: $pin}}) {{ {MEMBER} }} }}"""


@dataclass
class Staff:
    h: Harness
    context: StaffContext
    clock: FakeClock
    app: Any

    def client(self, claims: Mapping[str, Any] | None) -> httpx.AsyncClient:
        return caller_client(self.app, claims)

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        claims: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        async with self.client(claims) as client:
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables or {}}
            )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        body = await self.gql(query, variables, **kw)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def sign_in(self, username: str, password: str) -> dict[str, Any]:
        session: dict[str, Any] = (await self.data(SIGN_IN, {"u": username, "p": password}))[
            "signIn"
        ]
        return session

    def claims_of(self, session: Mapping[str, Any]) -> dict[str, Any]:
        """What the gateway would forward for this session's access token."""
        return self.context.identity.verify(session["accessToken"])


@pytest.fixture(scope="module")
async def staff(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Staff]:
    root = tmp_path_factory.mktemp("staff")
    clock = FakeClock()
    context = StaffContext(
        StaffIdentity(root / "keys", clock=clock), hasher=Argon2Hasher.for_tests(), clock=clock
    )
    async with running([context], backend="sqlite", tmp_path=root) as h:
        view = h.views["staff"]
        await seed_demo_staff(context.runtime(view).handlers)
        app = create_subgraph_app("staff", context.graphql_app(view), view, manage_services=False)
        app.router.routes.append(context.jwks_route())
        yield Staff(h, context, clock, app)


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def admin(staff: Staff) -> dict[str, Any]:
    return staff.claims_of(await staff.sign_in("admin", "admin-demo-pass"))


async def hire(staff: Staff, roles: list[str], **kw: Any) -> dict[str, Any]:
    variables = {"u": f"u{uuid4().hex[:8]}", "roles": roles, "p": "long enough pw", "pin": "8642"}
    variables.update(kw)
    member: dict[str, Any] = (await staff.data(HIRE, variables, claims=await admin(staff)))[
        "hireStaff"
    ]
    return member


async def test_sign_in_answers_a_session_with_a_bearer_token(staff: Staff) -> None:
    session = await staff.sign_in("  Manager ", "manager-demo-pass")
    assert session["tokenType"] == "Bearer"
    assert session["staff"]["username"] == "manager"
    assert session["staff"]["roles"] == ["MANAGER"]
    claims = staff.claims_of(session)
    assert claims["sub"] == session["staff"]["id"]
    assert "staff:read" in claims["scope"].split()
    assert "staff:manage" not in claims["scope"].split()


async def test_pin_sign_in_at_a_register(staff: Staff) -> None:
    data = await staff.data(
        """mutation { signInWithPin(input: {username: "cashier", pin: "4567", registerId: "till-2"})
           { accessToken staff { roles } } }"""
    )
    claims = staff.context.identity.verify(data["signInWithPin"]["accessToken"])
    assert claims["amr"] == ["pin"] and claims["register"] == "till-2"


async def test_wrong_password_and_unknown_user_get_the_same_error(staff: Staff) -> None:
    wrong = await staff.gql(SIGN_IN, {"u": "supervisor", "p": "not it at all"})
    ghost = await staff.gql(SIGN_IN, {"u": "nobody-here", "p": "not it at all"})
    for body in (wrong, ghost):
        assert body["data"] is None
        assert codes(body) == ["UNAUTHENTICATED"]
        assert body["errors"][0]["message"] == REFUSED
    assert wrong["errors"][0]["extensions"] == ghost["errors"][0]["extensions"]


async def test_lockout_shows_in_locked_until_and_lifts_after_fifteen_minutes(
    staff: Staff,
) -> None:
    member = await hire(staff, ["CASHIER"])
    for _ in range(5):
        body = await staff.gql(SIGN_IN, {"u": member["username"], "p": "wrong password"})
        assert codes(body) == ["UNAUTHENTICATED"]
    body = await staff.gql(SIGN_IN, {"u": member["username"], "p": "long enough pw"})
    assert body["errors"][0]["message"] == REFUSED
    await staff.h.settle()
    seen = await staff.data(
        "query($id: ID!) { staffMember(id: $id) { lockedUntil } }",
        {"id": member["id"]},
        claims=await admin(staff),
    )
    assert seen["staffMember"]["lockedUntil"] is not None
    staff.clock.advance(timedelta(minutes=15))
    try:
        session = await staff.sign_in(member["username"], "long enough pw")
    finally:  # back to real time: other tests' tokens are checked against it
        staff.clock.advance(-timedelta(minutes=15))
    assert session["staff"]["lockedUntil"] is None


async def test_refresh_rotates_reuse_revokes_and_sign_out_ends(staff: Staff) -> None:
    first = await staff.sign_in("supervisor", "supervisor-demo-pass")
    refresh = (
        "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }"
    )
    second = (await staff.data(refresh, {"t": first["refreshToken"]}))["refreshSession"]
    assert second["refreshToken"] != first["refreshToken"]
    reused = await staff.gql(refresh, {"t": first["refreshToken"]})
    assert codes(reused) == ["UNAUTHENTICATED"] and reused["errors"][0]["message"] == REFUSED
    assert codes(await staff.gql(refresh, {"t": second["refreshToken"]})) == ["UNAUTHENTICATED"]
    third = await staff.sign_in("supervisor", "supervisor-demo-pass")
    sign_out = "mutation($t: String!) { signOut(refreshToken: $t) }"
    assert (await staff.data(sign_out, {"t": third["refreshToken"]}))["signOut"] is True
    assert (await staff.data(sign_out, {"t": third["refreshToken"]}))["signOut"] is False
    assert codes(await staff.gql(refresh, {"t": third["refreshToken"]})) == ["UNAUTHENTICATED"]


async def test_me_is_the_caller_and_needs_a_caller(staff: Staff) -> None:
    session = await staff.sign_in("cashier", "cashier-demo-pass")
    data = await staff.data(f"{{ me {{ {MEMBER} }} }}", claims=staff.claims_of(session))
    assert data["me"] == session["staff"]
    anonymous = await staff.gql("{ me { id } }")
    assert codes(anonymous) == ["UNAUTHENTICATED"]


async def test_managing_staff_needs_staff_manage(staff: Staff) -> None:
    manager = staff.claims_of(await staff.sign_in("manager", "manager-demo-pass"))
    variables = {"u": "not-hired", "roles": ["CASHIER"], "p": "long enough pw", "pin": "1111"}
    refused = await staff.gql(HIRE, variables, claims=manager)
    assert codes(refused) == ["FORBIDDEN"] and refused["data"] is None
    assert codes(await staff.gql(HIRE, variables)) == ["UNAUTHENTICATED"]
    login = await staff.gql(SIGN_IN, {"u": "not-hired", "p": "long enough pw"})
    assert codes(login) == ["UNAUTHENTICATED"]  # nothing was written


async def test_an_admin_hires_grants_revokes_resets_and_deactivates(staff: Staff) -> None:
    claims = await admin(staff)
    member = await hire(staff, ["CASHIER"])
    assert member["displayName"] == "New Hire" and member["active"] is True
    grant = "mutation($id: ID!) { grantRole(id: $id, role: SUPERVISOR) { roles } }"
    data = await staff.data(grant, {"id": member["id"]}, claims=claims)
    assert data["grantRole"]["roles"] == ["CASHIER", "SUPERVISOR"]
    revoke = "mutation($id: ID!) { revokeRole(id: $id, role: CASHIER) { roles } }"
    assert (await staff.data(revoke, {"id": member["id"]}, claims=claims))["revokeRole"][
        "roles"
    ] == ["SUPERVISOR"]
    reset = (
        """mutation($id: ID!) { resetStaffSecret(id: $id, password: "brand new secret") { id } }"""
    )
    await staff.data(reset, {"id": member["id"]}, claims=claims)
    session = await staff.sign_in(member["username"], "brand new secret")
    assert staff.claims_of(session)["roles"] == ["SUPERVISOR"]
    deactivate = "mutation($id: ID!) { deactivateStaff(id: $id) { active } }"
    data = await staff.data(deactivate, {"id": member["id"]}, claims=claims)
    assert data["deactivateStaff"] == {"active": False}
    body = await staff.gql(SIGN_IN, {"u": member["username"], "p": "brand new secret"})
    assert body["errors"][0]["message"] == REFUSED
    refresh = "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }"
    assert codes(await staff.gql(refresh, {"t": session["refreshToken"]})) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"p": "short"}, "BAD_USER_INPUT", "password"),
        ({"pin": "12"}, "BAD_USER_INPUT", "pin"),
        ({"pin": "12ab"}, "BAD_USER_INPUT", "pin"),
        ({"u": "no spaces allowed"}, "BAD_USER_INPUT", "username"),
        ({"roles": []}, "BAD_USER_INPUT", "roles"),
        ({"u": "ADMIN"}, "CONFLICT", "username"),
    ],
)
async def test_bad_hires_are_refused_precisely(
    staff: Staff, changes: dict[str, Any], code: str, field: str
) -> None:
    variables = {"u": f"u{uuid4().hex[:8]}", "roles": ["CASHIER"], "p": "long enough pw"}
    variables |= {"pin": "8642", **changes}
    body = await staff.gql(HIRE, variables, claims=await admin(staff))
    assert codes(body) == [code]
    assert body["errors"][0]["extensions"]["field"] == field


async def test_the_last_admin_cannot_lose_admin(staff: Staff) -> None:
    claims = await admin(staff)
    body = await staff.gql(
        "mutation($id: ID!) { revokeRole(id: $id, role: ADMIN) { roles } }",
        {"id": claims["sub"]},
        claims=claims,
    )
    assert codes(body) == ["CONFLICT"] and "last ADMIN" in body["errors"][0]["message"]
    missing = await staff.gql(
        "mutation($id: ID!) { deactivateStaff(id: $id) { id } }",
        {"id": str(uuid4())},
        claims=claims,
    )
    assert codes(missing) == ["NOT_FOUND"]


async def test_the_staff_list_needs_staff_read(staff: Staff) -> None:
    await staff.h.settle()
    query = """{ staffMembers(first: 2, search: "a") { totalCount
                 nodes { username } pageInfo { hasNextPage endCursor } } }"""
    manager = staff.claims_of(await staff.sign_in("manager", "manager-demo-pass"))
    data = (await staff.data(query, claims=manager))["staffMembers"]
    assert data["totalCount"] >= 4 and len(data["nodes"]) == 2
    assert data["nodes"][0]["username"] == "admin"
    admins = await staff.data(
        "{ staffMembers(role: ADMIN) { nodes { username } } }", claims=manager
    )
    assert {"username": "admin"} in admins["staffMembers"]["nodes"]
    cashier = staff.claims_of(await staff.sign_in("cashier", "cashier-demo-pass"))
    assert codes(await staff.gql(query, claims=cashier)) == ["FORBIDDEN"]
    assert codes(await staff.gql(query)) == ["UNAUTHENTICATED"]


async def test_change_my_password(staff: Staff) -> None:
    member = await hire(staff, ["CASHIER"])
    me = staff.claims_of(await staff.sign_in(member["username"], "long enough pw"))
    change = """mutation($c: String!, $n: String!) {
      changeMyPassword(currentPassword: $c, newPassword: $n) { id } }"""
    wrong = await staff.gql(change, {"c": "not current!", "n": "next password"}, claims=me)
    assert codes(wrong) == ["BAD_USER_INPUT"]
    assert wrong["errors"][0]["extensions"]["field"] == "currentPassword"
    await staff.data(change, {"c": "long enough pw", "n": "next password"}, claims=me)
    await staff.sign_in(member["username"], "next password")
    assert codes(await staff.gql(change, {"c": "a", "n": "b"})) == ["UNAUTHENTICATED"]


async def test_the_app_serves_the_public_jwks(staff: Staff) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=staff.app), base_url="http://subgraph"
    ) as client:
        response = await client.get(JWKS_PATH)
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert keys == staff.context.identity.jwks()["keys"]
    assert all("d" not in key and key["alg"] == "EdDSA" for key in keys)


async def test_entities_resolve_by_id(staff: Staff) -> None:
    await staff.h.settle()
    claims = await admin(staff)
    data = await staff.data(
        """query($r: [_Any!]!) { _entities(representations: $r) {
             ... on StaffMember { username roles } } }""",
        {"r": [{"__typename": "StaffMember", "id": claims["sub"]}]},
        claims=claims,
    )
    assert data["_entities"] == [{"username": "admin", "roles": ["ADMIN"]}]


def test_the_sdl_declares_what_each_field_needs(tmp_path: Path) -> None:
    sdl = StaffContext(StaffIdentity(tmp_path)).sdl()
    assert "me: StaffMember @authenticated" in sdl
    assert "staffMembers(" in sdl and '@requiresScopes(scopes: [["staff:read"]])' in sdl
    for mutation in ("hireStaff", "grantRole", "revokeRole", "resetStaffSecret", "deactivateStaff"):
        line = next(line for line in sdl.splitlines() if line.strip().startswith(f"{mutation}("))
        assert line.endswith('@requiresScopes(scopes: [["staff:manage"]])'), line
    for public in ("signIn(", "signInWithPin(", "refreshSession(", "signOut("):
        line = next(line for line in sdl.splitlines() if line.strip().startswith(public))
        assert "@" not in line
    assert 'type StaffMember @key(fields: "id")' in sdl

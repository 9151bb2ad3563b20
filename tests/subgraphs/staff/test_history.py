"""Staff `history` and `staffMember(id, asOf)` through the subgraph: roles as of an
instant, who made each change (resolved in this very subgraph), and no secret hash in
any payload."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import orjson

from tests.subgraphs.staff.test_graphql import Staff, admin, hire, staff

__all__ = ["staff"]

MEMBER = """query($id: ID!, $at: DateTime) { staffMember(id: $id, asOf: $at) {
  asOf roles active history { totalCount edges { node { name payload
    actor { staffMember { username } system } changes { field before after } } } } } }"""


async def _instant() -> datetime:
    await asyncio.sleep(0.02)
    moment = datetime.now(UTC)
    await asyncio.sleep(0.02)
    return moment


async def test_member_as_of_with_history_and_no_secrets(staff: Staff) -> None:
    member = await hire(staff, ["CASHIER"])
    t0 = await _instant()
    boss = await admin(staff)
    await staff.data(
        "mutation($id: ID!) { grantRole(id: $id, role: SUPERVISOR) { roles } }",
        {"id": member["id"]},
        claims=boss,
    )
    await staff.data(
        """mutation($id: ID!) { resetStaffSecret(id: $id, password: "brand new secret") {
             id } }""",
        {"id": member["id"]},
        claims=boss,
    )
    t1 = await _instant()
    await staff.data(
        "mutation($id: ID!) { deactivateStaff(id: $id) { active } }",
        {"id": member["id"]},
        claims=boss,
    )

    then = (await staff.data(MEMBER, {"id": member["id"], "at": t0.isoformat()}, claims=boss))[
        "staffMember"
    ]
    assert (then["roles"], then["active"]) == (["CASHIER"], True)
    assert datetime.fromisoformat(then["asOf"]) == t0
    later = (await staff.data(MEMBER, {"id": member["id"], "at": t1.isoformat()}, claims=boss))[
        "staffMember"
    ]
    assert (later["roles"], later["active"]) == (["CASHIER", "SUPERVISOR"], True)
    now = (await staff.data(MEMBER, {"id": member["id"]}, claims=boss))["staffMember"]
    assert now["active"] is False and now["asOf"] is None
    events = [e["node"] for e in now["history"]["edges"]]
    names = [e["name"] for e in events]
    assert names[0] == "StaffDeactivated" and names[-1] == "StaffHired"
    assert "RoleGranted" in names and "PasswordChanged" in names
    granted = events[names.index("RoleGranted")]
    assert granted["actor"] == {"staffMember": {"username": "admin"}, "system": None}
    assert {"field": "roles", "before": '["CASHIER"]', "after": '["CASHIER","SUPERVISOR"]'} in (
        granted["changes"]
    )
    for event in events:  # the hashes of secrets never leave the staff context
        payload = orjson.loads(event["payload"])
        assert not {"password_hash", "pin_hash", "token_hash"} & set(payload), event["name"]
    hired = orjson.loads(events[-1]["payload"])
    assert hired["username"] == member["username"]

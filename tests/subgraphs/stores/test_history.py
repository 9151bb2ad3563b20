"""Stores `history` and `asOf` for Store and Register through the subgraph's endpoint
(embedded), against states computed by hand."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.subgraphs.stores.test_graphql import ADD, MANAGER, Stores, open_store, stores

__all__ = ["stores"]

STORE = """query($id: ID!, $at: DateTime) { store(id: $id, asOf: $at) {
  asOf active closedAt history { totalCount edges { node { name version
    actor { staffMember { id } } changes { field before after } } } } } }"""
REGISTER = """query($id: ID!, $at: DateTime) { register(id: $id, asOf: $at) {
  asOf active store { asOf active } history { edges { node { name } } } } }"""


async def _instant() -> datetime:
    await asyncio.sleep(0.02)
    moment = datetime.now(UTC)
    await asyncio.sleep(0.02)
    return moment


async def test_store_and_register_as_of_and_history(stores: Stores) -> None:
    opened = await open_store(stores)
    t0 = await _instant()
    register = (await stores.data(ADD, {"store": opened["id"], "code": "R1"}))["addRegister"]
    t1 = await _instant()
    await stores.data(
        'mutation($id: ID!) { closeStore(id: $id, reason: "moved") { id } }', {"id": opened["id"]}
    )
    t2 = await _instant()  # closing the store deactivated its register too

    then = (await stores.data(STORE, {"id": opened["id"], "at": t1.isoformat()}))["store"]
    assert (then["active"], then["closedAt"]) == (True, None)
    assert datetime.fromisoformat(then["asOf"]) == t1
    # every event of the stream, also those the read model does not show (no changes)
    assigned, first = [e["node"] for e in then["history"]["edges"]]
    assert (assigned["name"], assigned["changes"]) == ("RegisterAssigned", [])
    assert first["name"] == "StoreOpened"
    now = (await stores.data(STORE, {"id": opened["id"], "at": None}))["store"]
    assert now["active"] is False and now["asOf"] is None
    names = [e["node"]["name"] for e in now["history"]["edges"]]
    assert names[0] == "StoreClosed" and names[-1] == "StoreOpened"
    closed = now["history"]["edges"][0]["node"]
    assert closed["actor"] == {"staffMember": {"id": MANAGER["sub"]}}
    assert {"field": "active", "before": "true", "after": "false"} in closed["changes"]

    at_t2 = (await stores.data(REGISTER, {"id": register["id"], "at": t2.isoformat()}))["register"]
    assert at_t2["active"] is False
    assert at_t2["store"] == {"asOf": at_t2["asOf"], "active": False}
    assert [e["node"]["name"] for e in at_t2["history"]["edges"]] == [
        "RegisterDeactivated",
        "RegisterAdded",
    ]
    at_t1 = (await stores.data(REGISTER, {"id": register["id"], "at": t1.isoformat()}))["register"]
    assert (at_t1["active"], at_t1["store"]["active"]) == (True, True)
    assert [e["node"]["name"] for e in at_t1["history"]["edges"]] == ["RegisterAdded"]

    too_early = await stores.gql(REGISTER, {"id": register["id"], "at": t0.isoformat()})
    assert too_early["data"]["register"] is None
    assert too_early["errors"][0]["extensions"]["reason"] == "AS_OF_BEFORE_CREATION"
    future = await stores.gql(
        STORE, {"id": opened["id"], "at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}
    )
    assert future["errors"][0]["extensions"]["reason"] == "AS_OF_IN_FUTURE"
    unknown = await stores.data(
        STORE, {"id": "00000000-0000-4000-8000-000000000000", "at": t0.isoformat()}
    )
    assert unknown == {"store": None}


async def test_store_reference_as_of(stores: Stores) -> None:
    opened = await open_store(stores, name="Old name")
    t0 = await _instant()
    await stores.data("mutation($id: ID!) { closeStore(id: $id) { id } }", {"id": opened["id"]})
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Store { active asOf } } }"""
    reps: list[dict[str, Any]] = [
        {"__typename": "Store", "id": opened["id"], "asOf": t0.isoformat()},
        {"__typename": "Store", "id": opened["id"]},
    ]
    data = await stores.data(query, {"r": reps})
    assert [e["active"] for e in data["_entities"]] == [True, False]

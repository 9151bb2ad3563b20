"""Customers (Ariadne) `history` and `asOf` through the subgraph's GraphQL endpoint
(embedded: SQLite + in-process bus), against states computed by hand."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from subgraphs.customers import context as customers
from tests.subgraphs.customers.test_graphql import REGISTER, new_customer
from tests.subgraphs.hosting.harness import Harness, running

AS_OF = """query($id: ID!, $at: DateTime) {
  customer(id: $id, asOf: $at) { id name email asOf address { city } }
}"""

HISTORY = """query($id: ID!, $first: Int, $after: String, $at: DateTime) {
  customer(id: $id, asOf: $at) {
    history(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { node { name version actor { staffMember { id } system }
                     changes { field before after } } }
    }
  }
}"""


@pytest.fixture(scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running(
        [customers], backend="sqlite", tmp_path=tmp_path_factory.mktemp("customers-history")
    ) as harness:
        yield harness


async def _instant() -> datetime:
    await asyncio.sleep(0.02)
    moment = datetime.now(UTC)
    await asyncio.sleep(0.02)
    return moment


@pytest.fixture(scope="module")
async def story(h: Harness) -> dict[str, Any]:
    """Registered as Ada Lovelace in London (t0), renamed (t1), moved to Paris (t2)."""
    email = f"ada-{datetime.now(UTC).timestamp():.0f}@example.com"
    address = {"line1": "1 St James", "city": "London", "postalCode": "SW1", "country": "gb"}
    created = await h.data(
        "customers",
        REGISTER,
        {"input": new_customer(name="Ada Lovelace", email=email, address=address)},
    )
    cid = created["registerCustomer"]["id"]
    t0 = await _instant()
    await h.data(
        "customers",
        'mutation($id: ID!) { updateCustomerContact(input: {id: $id, name: "Ada King"}) { id } }',
        {"id": cid},
    )
    t1 = await _instant()
    await h.data(
        "customers",
        """mutation($id: ID!) { changeCustomerAddress(input: {id: $id, address: {
             line1: "2 Rue", city: "Paris", postalCode: "75001", country: "fr"}}) { id } }""",
        {"id": cid},
    )
    t2 = await _instant()
    return {"id": cid, "email": email, "t": [t0, t1, t2]}


async def test_customer_as_of_each_instant(h: Harness, story: dict[str, Any]) -> None:
    expected = [("Ada Lovelace", "London"), ("Ada King", "London"), ("Ada King", "Paris")]
    for at, (name, city) in zip(story["t"], expected, strict=True):
        data = await h.data("customers", AS_OF, {"id": story["id"], "at": at.isoformat()})
        customer = data["customer"]
        assert (customer["name"], customer["address"]["city"]) == (name, city)
        assert datetime.fromisoformat(customer["asOf"]) == at
    now = await h.data("customers", AS_OF, {"id": story["id"], "at": None})
    assert now["customer"]["asOf"] is None and now["customer"]["name"] == "Ada King"


async def test_history_newest_first_with_changes(h: Harness, story: dict[str, Any]) -> None:
    data = await h.data("customers", HISTORY, {"id": story["id"], "first": 2})
    history = data["customer"]["history"]
    assert history["totalCount"] == 3
    nodes = [e["node"] for e in history["edges"]]
    assert [n["name"] for n in nodes] == ["CustomerAddressChanged", "CustomerContactUpdated"]
    renamed = {c["field"]: c for c in nodes[1]["changes"]}
    assert renamed["name"] == {"field": "name", "before": '"Ada Lovelace"', "after": '"Ada King"'}
    assert renamed["sortName"]["after"] == '"ada king"'
    assert nodes[0]["actor"]["staffMember"]["id"]
    rest = await h.data(
        "customers",
        HISTORY,
        {"id": story["id"], "after": history["pageInfo"]["endCursor"]},
    )
    assert [e["node"]["version"] for e in rest["customer"]["history"]["edges"]] == [1]
    then = await h.data("customers", HISTORY, {"id": story["id"], "at": story["t"][0].isoformat()})
    assert then["customer"]["history"]["totalCount"] == 1


async def test_bad_instants_and_references(h: Harness, story: dict[str, Any]) -> None:
    for at, reason in (
        (datetime.now(UTC) + timedelta(minutes=5), "AS_OF_IN_FUTURE"),
        (story["t"][0] - timedelta(days=1), "AS_OF_BEFORE_CREATION"),
    ):
        body = await h.gql("customers", AS_OF, {"id": story["id"], "at": at.isoformat()})
        assert body["data"]["customer"] is None
        [error] = body["errors"]
        assert (error["extensions"]["code"], error["extensions"]["reason"]) == (
            "BAD_USER_INPUT",
            reason,
        )
    unknown = await h.data(
        "customers",
        AS_OF,
        {"id": "00000000-0000-4000-8000-000000000000", "at": story["t"][0].isoformat()},
    )
    assert unknown["customer"] is None
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Customer { name asOf } } }"""
    reps = [
        {"__typename": "Customer", "id": story["id"], "asOf": story["t"][0].isoformat()},
        {"__typename": "Customer", "id": story["id"], "asOf": None},
    ]
    data = await h.data("customers", query, {"r": reps})
    assert [e["name"] for e in data["_entities"]] == ["Ada Lovelace", "Ada King"]

"""Catalog `history` and `asOf` through the subgraph's GraphQL endpoint (embedded: SQLite +
in-process bus), against states computed by hand from the mutations the test sends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from subgraphs.catalog import CATALOG
from tests.subgraphs.catalog.queries import add_product, create_category
from tests.subgraphs.hosting.harness import Harness, running

AS_OF = """query($id: ID!, $at: DateTime) {
  product(id: $id, asOf: $at) { id name asOf unitPrice { amount currency } active
                                category { id name asOf } }
}"""

HISTORY = """query($id: ID!, $first: Int, $after: String, $at: DateTime) {
  product(id: $id, asOf: $at) {
    history(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { node { name type version time payload actor { staffMember { id } system }
                     changes { field before after } } }
    }
  }
}"""


@pytest.fixture(scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running(
        [CATALOG], backend="sqlite", tmp_path=tmp_path_factory.mktemp("catalog-history")
    ) as harness:
        yield harness


async def _instant() -> datetime:
    """A moment strictly between the events before and after it."""
    await asyncio.sleep(0.02)
    moment = datetime.now(UTC)
    await asyncio.sleep(0.02)
    return moment


@pytest.fixture(scope="module")
async def story(h: Harness) -> dict[str, Any]:
    """Added at 12.50, then 9.99 (t1), renamed (t2), deactivated (t3)."""
    category = await create_category(h, "Tea")
    product = await add_product(h, category["id"], name="Green tea", amount="12.50")
    t0 = await _instant()
    pid = product["id"]
    await h.data(
        "catalog",
        """mutation($id: ID!) { changeProductPrice(input: {id: $id,
             unitPrice: {amount: "9.99", currency: "EUR"}}) { id } }""",
        {"id": pid},
    )
    t1 = await _instant()
    await h.data(
        "catalog",
        'mutation($id: ID!) { renameProduct(input: {id: $id, name: "Sencha"}) { id } }',
        {"id": pid},
    )
    t2 = await _instant()
    await h.data("catalog", "mutation($id: ID!) { deactivateProduct(id: $id) { id } }", {"id": pid})
    t3 = await _instant()
    return {"id": pid, "category": category, "t": [t0, t1, t2, t3]}


async def test_product_as_of_each_instant(h: Harness, story: dict[str, Any]) -> None:
    expected = [
        ("Green tea", "12.50", True),
        ("Green tea", "9.99", True),
        ("Sencha", "9.99", True),
        ("Sencha", "9.99", False),
    ]
    for at, (name, amount, active) in zip(story["t"], expected, strict=True):
        data = await h.data("catalog", AS_OF, {"id": story["id"], "at": at.isoformat()})
        product = data["product"]
        assert (product["name"], product["unitPrice"]["amount"], product["active"]) == (
            name,
            amount,
            active,
        )
        assert datetime.fromisoformat(product["asOf"]) == at
        assert product["category"]["name"] == "Tea"
        assert datetime.fromisoformat(product["category"]["asOf"]) == at
    now = await h.data("catalog", AS_OF, {"id": story["id"], "at": None})
    assert now["product"]["asOf"] is None and now["product"]["name"] == "Sencha"


async def test_history_newest_first_with_changes_and_paging(
    h: Harness, story: dict[str, Any]
) -> None:
    data = await h.data("catalog", HISTORY, {"id": story["id"], "first": 3})
    history = data["product"]["history"]
    assert history["totalCount"] == 4
    nodes = [edge["node"] for edge in history["edges"]]
    assert [n["name"] for n in nodes] == [
        "ProductDeactivated",
        "ProductRenamed",
        "ProductPriceChanged",
    ]
    assert [n["version"] for n in nodes] == [4, 3, 2]
    assert nodes[2]["type"] == "pos.catalog.ProductPriceChanged.v1"
    assert orjson.loads(nodes[2]["payload"])["unit_price"] == "9.99"
    assert nodes[2]["changes"] == [{"field": "unitPrice", "before": '"12.50"', "after": '"9.99"'}]
    assert nodes[1]["changes"] == [{"field": "name", "before": '"Green tea"', "after": '"Sencha"'}]
    staff = nodes[0]["actor"]["staffMember"]["id"]
    assert staff and nodes[0]["actor"]["system"] is None
    assert history["pageInfo"]["hasNextPage"] is True
    more = await h.data(
        "catalog",
        HISTORY,
        {"id": story["id"], "first": 3, "after": history["pageInfo"]["endCursor"]},
    )
    rest = more["product"]["history"]
    assert [e["node"]["name"] for e in rest["edges"]] == ["ProductAdded"]
    assert rest["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": rest["pageInfo"]["endCursor"],
    }
    added = rest["edges"][0]["node"]["changes"]
    assert {"field": "name", "before": None, "after": '"Green tea"'} in added
    # the history of the product as of t1 ends at t1
    then = await h.data("catalog", HISTORY, {"id": story["id"], "at": story["t"][1].isoformat()})
    assert [e["node"]["version"] for e in then["product"]["history"]["edges"]] == [2, 1]


async def test_bad_instants_and_unknown_ids(h: Harness, story: dict[str, Any]) -> None:
    future = datetime.now(UTC) + timedelta(hours=1)
    before = story["t"][0] - timedelta(days=1)
    for at, reason in ((future, "AS_OF_IN_FUTURE"), (before, "AS_OF_BEFORE_CREATION")):
        body = await h.gql("catalog", AS_OF, {"id": story["id"], "at": at.isoformat()})
        assert body["data"]["product"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["reason"] == reason
    unknown = await h.data(
        "catalog", AS_OF, {"id": "00000000-0000-4000-8000-000000000000", "at": None}
    )
    assert unknown["product"] is None
    unknown = await h.data(
        "catalog",
        AS_OF,
        {"id": "00000000-0000-4000-8000-000000000000", "at": story["t"][0].isoformat()},
    )
    assert unknown["product"] is None
    # a category id is no product, now or then
    other = await h.data(
        "catalog", AS_OF, {"id": story["category"]["id"], "at": story["t"][0].isoformat()}
    )
    assert other["product"] is None
    bad = await h.gql("catalog", HISTORY, {"id": story["id"], "first": 101})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    bad = await h.gql("catalog", HISTORY, {"id": story["id"], "after": "bm90LW91cnM"})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_entity_reference_with_as_of(h: Harness, story: dict[str, Any]) -> None:
    """What the gateway sends when ordering references a product as of an instant."""
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Product { name asOf unitPrice { amount } } } }"""
    reps = [
        {"__typename": "Product", "id": story["id"], "asOf": story["t"][0].isoformat()},
        {"__typename": "Product", "id": story["id"], "asOf": None},
        {"__typename": "Product", "id": story["id"]},
    ]
    data = await h.data("catalog", query, {"r": reps})
    first, now, plain = data["_entities"]
    assert (first["name"], first["unitPrice"]["amount"]) == ("Green tea", "12.50")
    assert (now["name"], now["asOf"]) == ("Sencha", None)
    assert plain == now

"""The inventory subgraph through its GraphQL endpoint (embedded: SQLite + in-process bus)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from subgraphs.catalog import CATALOG
from subgraphs.inventory import INVENTORY
from tests.subgraphs.catalog.queries import add_product, create_category
from tests.subgraphs.hosting.harness import Harness, running

RECEIVE = """mutation($id: ID!, $q: Int!, $r: String!) {
  receiveStock(input: {productId: $id, quantity: $q, receipt: $r}) {
    productId warehouse onHand reserved available } }"""
ADJUST = """mutation($id: ID!, $c: Int!, $r: String!) {
  adjustStock(input: {productId: $id, change: $c, reason: $r}) { onHand available } }"""


@pytest.fixture(scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running(
        [CATALOG, INVENTORY], backend="sqlite", tmp_path=tmp_path_factory.mktemp("inventory")
    ) as harness:
        yield harness


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def new_product(h: Harness, amount: str = "12.50") -> dict[str, Any]:
    category = await create_category(h)
    product = await add_product(h, category["id"], amount=amount)
    await h.settle()  # inventory learns the product from pos.catalog
    return product


async def test_receive_and_adjust_show_up_at_once(h: Harness) -> None:
    product = await new_product(h)
    pid = product["id"]
    empty = await h.data(
        "inventory",
        "query($id: ID!) { stockItem(productId: $id) { onHand available } }",
        {"id": pid},
    )
    assert empty == {"stockItem": {"onHand": 0, "available": 0}}
    data = await h.data("inventory", RECEIVE, {"id": pid, "q": 12, "r": "DN-100"})
    assert data["receiveStock"] == {
        "productId": pid,
        "warehouse": "MAIN",
        "onHand": 12,
        "reserved": 0,
        "available": 12,
    }
    data = await h.data("inventory", ADJUST, {"id": pid, "c": -5, "r": "dropped a crate"})
    assert data["adjustStock"] == {"onHand": 7, "available": 7}
    data = await h.data(
        "inventory", "query($id: ID!) { stockItem(productId: $id) { onHand } }", {"id": pid}
    )
    assert data == {"stockItem": {"onHand": 7}}


async def test_bad_stock_commands_are_refused_and_write_nothing(h: Harness) -> None:
    product = await new_product(h)
    pid = product["id"]
    await h.data("inventory", RECEIVE, {"id": pid, "q": 3, "r": "DN-1"})
    cases = [
        (RECEIVE, {"id": pid, "q": 0, "r": "DN-2"}, "BAD_USER_INPUT", "greater than 0"),
        (RECEIVE, {"id": pid, "q": -4, "r": "DN-2"}, "BAD_USER_INPUT", "greater than 0"),
        (RECEIVE, {"id": pid, "q": 1, "r": "DN-1"}, "CONFLICT", "already recorded"),
        (RECEIVE, {"id": pid, "q": 1, "r": "x" * 201}, "BAD_USER_INPUT", "at most 200"),
        (RECEIVE, {"id": str(uuid4()), "q": 1, "r": "DN-3"}, "NOT_FOUND", "not in the catalog"),
        (RECEIVE, {"id": "nope", "q": 1, "r": "DN-3"}, "BAD_USER_INPUT", "not a valid product id"),
        (ADJUST, {"id": pid, "c": -4, "r": "stocktake"}, "CONFLICT", "only 3 are available"),
        (ADJUST, {"id": pid, "c": 2, "r": " "}, "BAD_USER_INPUT", "reason must not be empty"),
    ]
    for query, variables, code, words in cases:
        body = await h.gql("inventory", query, variables)
        assert codes(body) == [code], (variables, body)
        assert words in body["errors"][0]["message"]
    data = await h.data(
        "inventory", "query($id: ID!) { stockItem(productId: $id) { onHand } }", {"id": pid}
    )
    assert data == {"stockItem": {"onHand": 3}}


async def test_low_stock_lists_fewest_available_first_with_cursors(h: Harness) -> None:
    amounts = [0, 2, 1, 9]
    ids = []
    for index, units in enumerate(amounts):
        product = await new_product(h)
        ids.append(product["id"])
        await h.data("inventory", RECEIVE, {"id": product["id"], "q": units + 1, "r": f"R{index}"})
        await h.data("inventory", ADJUST, {"id": product["id"], "c": -1, "r": "sample"})
    never_delivered = (await new_product(h))["id"]
    retired = (await new_product(h))["id"]
    await h.data(
        "catalog", "mutation($id: ID!) { deactivateProduct(id: $id) { id } }", {"id": retired}
    )
    await h.settle()
    query = """query($after: String) { lowStock(threshold: 2, first: 2, after: $after) {
      totalCount nodes { productId available } pageInfo { hasNextPage endCursor } } }"""
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await h.data("inventory", query, {"after": after}))["lowStock"]
        seen += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    mine = {node["productId"]: node["available"] for node in seen}
    assert [mine.get(pid) for pid in ids] == [0, 2, 1, None]
    assert mine[never_delivered] == 0
    assert retired not in mine
    assert [node["available"] for node in seen] == sorted(node["available"] for node in seen)
    assert all(node["available"] <= 2 for node in seen)
    bad = await h.gql("inventory", "{ lowStock(threshold: -1) { totalCount } }")
    assert codes(bad) == ["BAD_USER_INPUT"]


async def test_entities_extend_product_and_resolve_stock_items(h: Harness) -> None:
    product = await new_product(h, amount="2.50")
    pid = product["id"]
    await h.data("inventory", RECEIVE, {"id": pid, "q": 4, "r": "DN-9"})
    data = await h.data(
        "inventory",
        """query($reps: [_Any!]!) { _entities(representations: $reps) {
          ... on Product { id onHand reserved available stockValue { amount currency } }
          ... on StockItem { productId warehouse onHand product { id } } } }""",
        {
            "reps": [
                {
                    "__typename": "Product",
                    "id": pid,
                    "unitPrice": {"amount": "2.50", "currency": "EUR"},
                },
                {"__typename": "Product", "id": str(uuid4())},
                {"__typename": "StockItem", "productId": pid, "warehouse": "MAIN"},
            ]
        },
    )
    assert data["_entities"] == [
        {
            "id": pid,
            "onHand": 4,
            "reserved": 0,
            "available": 4,
            "stockValue": {"amount": "10.00", "currency": "EUR"},
        },
        {
            "id": data["_entities"][1]["id"],
            "onHand": 0,
            "reserved": 0,
            "available": 0,
            "stockValue": None,
        },
        {"productId": pid, "warehouse": "MAIN", "onHand": 4, "product": {"id": pid}},
    ]


async def test_service_sdl_matches_the_committed_file(h: Harness) -> None:
    data = await h.data("inventory", "{ _service { sdl } }")
    committed = (Path(__file__).resolve().parents[3] / "schema" / "inventory.graphql").read_text()
    assert data["_service"]["sdl"].rstrip("\n") + "\n" == committed
    assert committed == INVENTORY.sdl()
    assert 'StockItem @key(fields: "productId warehouse")' in committed
    assert '@requires(fields: "unitPrice { amount currency }")' in committed
    assert "unitPrice: Money! @external" in committed

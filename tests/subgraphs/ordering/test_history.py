"""Ordering `history` and `order(id, asOf)` through the subgraph's GraphQL endpoint
(embedded), against states computed by hand; the order's customer and products carry the
instant for their own subgraphs (the `id asOf` keys)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from subgraphs.customers import context as customers
from subgraphs.ordering import context as ordering
from tests.subgraphs.ordering.conftest import REGISTER, inventory_replies
from tests.subgraphs.saga.fakes import product_added
from tests.subgraphs.saga.stack import Stack, open_stack

AS_OF = """query($id: ID!, $at: DateTime) {
  order(id: $id, asOf: $at) { status asOf version payment { method }
    customer { id asOf } lines { product { id name asOf } quantity } }
}"""

HISTORY = """query($id: ID!, $first: Int, $after: String, $at: DateTime) {
  order(id: $id, asOf: $at) {
    history(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { name version actor { staffMember { id } system }
                     changes { field before after } } }
    }
  }
}"""


async def _instant() -> datetime:
    await asyncio.sleep(0.02)
    moment = datetime.now(UTC)
    await asyncio.sleep(0.02)
    return moment


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    async with open_stack(
        [customers, ordering], mode="embedded", tmp_path=tmp_path_factory.mktemp("ordering-h")
    ) as running:
        yield running


@pytest.fixture(scope="module")
async def story(stack: Stack) -> dict[str, Any]:
    """Placed (t0), confirmed by inventory (t1), paid (t2), shipped (t3)."""
    customer = await stack.data(
        "customers",
        REGISTER,
        {
            "input": {
                "name": "Ada Buyer",
                "email": "ada.history@buyer.example",
                "phone": "+49 30 7654321",
                "address": {
                    "line1": "Main 1",
                    "city": "Berlin",
                    "postalCode": "10115",
                    "country": "DE",
                },
            }
        },
    )
    tea = await product_added(stack.store, sku="TEA-H", name="Green tea", price="3.50")
    await stack.settle()
    placed = await stack.data(
        "ordering",
        """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }""",
        {
            "input": {
                "customerId": customer["registerCustomer"]["id"],
                "lines": [{"productId": tea, "quantity": 2}],
            }
        },
    )
    oid = placed["placeOrder"]["id"]
    t0 = await _instant()
    await inventory_replies(stack, "StockReserved", oid)
    t1 = await _instant()
    await stack.data(
        "ordering",
        """mutation($id: ID!) { payOrder(input: {id: $id, method: CARD, amount: "7.00"}) {
             id } }""",
        {"id": oid},
    )
    t2 = await _instant()
    await stack.data("ordering", "mutation($id: ID!) { shipOrder(id: $id) { id } }", {"id": oid})
    t3 = await _instant()
    return {
        "id": oid,
        "customer": customer["registerCustomer"]["id"],
        "tea": tea,
        "t": [t0, t1, t2, t3],
    }


async def test_order_as_of_each_instant(stack: Stack, story: dict[str, Any]) -> None:
    expected = [("PENDING", 1, None), ("CONFIRMED", 2, None), ("PAID", 3, "CARD")]
    expected.append(("SHIPPED", 4, "CARD"))
    for at, (status, version, method) in zip(story["t"], expected, strict=True):
        data = await stack.data("ordering", AS_OF, {"id": story["id"], "at": at.isoformat()})
        order = data["order"]
        assert (order["status"], order["version"]) == (status, version)
        assert (order["payment"] or {}).get("method") == method
        assert datetime.fromisoformat(order["asOf"]) == at
        # the references carry the instant: the owning subgraphs answer as of it
        assert order["customer"]["id"] == story["customer"]
        assert datetime.fromisoformat(order["customer"]["asOf"]) == at
        [line] = order["lines"]
        assert line["product"]["id"] == story["tea"]
        assert datetime.fromisoformat(line["product"]["asOf"]) == at
    now = await stack.data("ordering", AS_OF, {"id": story["id"], "at": None})
    assert now["order"]["status"] == "SHIPPED"
    assert now["order"]["asOf"] is None and now["order"]["customer"]["asOf"] is None


async def test_history_newest_first(stack: Stack, story: dict[str, Any]) -> None:
    data = await stack.data("ordering", HISTORY, {"id": story["id"], "first": 3})
    history = data["order"]["history"]
    assert history["totalCount"] == 4
    nodes = [e["node"] for e in history["edges"]]
    assert [n["name"] for n in nodes] == ["OrderShipped", "OrderPaid", "OrderConfirmed"]
    status = {c["field"]: c for c in nodes[0]["changes"]}["status"]
    assert (status["before"], status["after"]) == ('"PAID"', '"SHIPPED"')
    # the member who paid; the confirmation came from the saga (a reply with no actor)
    assert nodes[1]["actor"]["staffMember"]["id"]
    assert nodes[2]["actor"] == {"staffMember": None, "system": "ordering.inventory-replies"}
    rest = await stack.data(
        "ordering", HISTORY, {"id": story["id"], "after": history["pageInfo"]["endCursor"]}
    )
    assert [e["node"]["name"] for e in rest["order"]["history"]["edges"]] == ["OrderPlaced"]
    then = await stack.data(
        "ordering", HISTORY, {"id": story["id"], "at": story["t"][1].isoformat()}
    )
    assert [e["node"]["version"] for e in then["order"]["history"]["edges"]] == [2, 1]


async def test_bad_instants_and_unknown_orders(stack: Stack, story: dict[str, Any]) -> None:
    for at, reason in (
        (datetime.now(UTC) + timedelta(minutes=5), "AS_OF_IN_FUTURE"),
        (story["t"][0] - timedelta(hours=1), "AS_OF_BEFORE_CREATION"),
    ):
        body = await stack.gql("ordering", AS_OF, {"id": story["id"], "at": at.isoformat()})
        assert body["data"]["order"] is None
        [error] = body["errors"]
        assert (error["extensions"]["code"], error["extensions"]["reason"]) == (
            "BAD_USER_INPUT",
            reason,
        )
        assert error["path"] == ["order"]
    unknown = await stack.data(
        "ordering",
        AS_OF,
        {"id": "00000000-0000-4000-8000-000000000000", "at": story["t"][0].isoformat()},
    )
    assert unknown["order"] is None
    # a customer's stream is no order
    other = await stack.data(
        "ordering", AS_OF, {"id": story["customer"], "at": story["t"][0].isoformat()}
    )
    assert other["order"] is None

"""History and time travel end to end: the real gateway over every subgraph as its own HTTP
server on PostgreSQL, Kafka and FerretDB (`services_stack`).

A manager (a member hired through the graph, so `actor` resolves to them in the staff
subgraph) changes a product's price and renames a customer while an order moves from
PENDING to SHIPPED. `order(id, asOf: t)` with its customer and product (catalog fields and
inventory's stock) is checked at
several instants against states worked out by hand from those steps; `history` against the
steps themselves; bad instants get BAD_USER_INPUT with their reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from subgraphs.staff import STAFF
from tests.e2e.scenario import (
    ADD_PRODUCT,
    CREATE_CATEGORY,
    PLACE,
    RECEIVE,
    REGISTER,
    data,
    eventually,
    gql,
)
from tests.e2e.stacks import Stack, services_stack
from tests.staff_tokens import staff_token

HIRE = """mutation($input: HireStaffInput!) { hireStaff(input: $input) { id username } }"""
AS_OF = """query($id: ID!, $at: DateTime) {
  order(id: $id, asOf: $at) {
    asOf status total { amount } payment { method }
    customer { asOf name address { city } }
    lines { quantity product { asOf name sku unitPrice { amount } onHand reserved } }
  }
}"""
HISTORY = """query($order: ID!, $product: ID!, $customer: ID!) {
  order(id: $order) { history { totalCount edges { node { name version time
    actor { staffMember { id username } system } } } } }
  product(id: $product) { history(first: 1) { totalCount pageInfo { hasNextPage }
    edges { node { name actor { staffMember { id username } }
                   changes { field before after } } } } }
  customer(id: $customer) { history { edges { node { name changes { field before after }
    actor { staffMember { username } } } } } }
}"""


@pytest.fixture(scope="module")
async def stack(h6_pg_url: str) -> AsyncIterator[Stack]:
    async with services_stack(h6_pg_url) as running:
        yield running


async def _instant() -> datetime:
    """A moment strictly between what happened before and after it."""
    await asyncio.sleep(0.05)
    moment = datetime.now(UTC)
    await asyncio.sleep(0.05)
    return moment


async def _as_manager(stack: Stack) -> tuple[httpx.AsyncClient, dict[str, Any]]:
    tag = uuid4().hex[:6]
    hired = await data(
        stack.gateway,
        HIRE,
        {
            "input": {
                "username": f"mia.{tag}",
                "displayName": "Mia Manager",
                "roles": ["MANAGER"],
                "password": "manager-history-pass",
                "pin": "2468",
            }
        },
    )
    member = hired["hireStaff"]
    token = staff_token(STAFF.identity, ("MANAGER",), staff_id=member["id"], name="Mia Manager")
    client = httpx.AsyncClient(
        transport=stack.gateway._transport,
        base_url=str(stack.gateway.base_url),
        timeout=30,
        headers={"authorization": f"Bearer {token}"},
    )
    return client, member


async def test_history_and_as_of_through_the_gateway(stack: Stack) -> None:
    manager, member = await _as_manager(stack)
    try:
        await _story(stack.gateway, manager, member)
    finally:
        await manager.aclose()


async def _story(
    admin: httpx.AsyncClient, manager: httpx.AsyncClient, member: dict[str, Any]
) -> None:
    tag = uuid4().hex[:8].upper()
    category = (await data(manager, CREATE_CATEGORY, {"input": {"name": f"History {tag}"}}))[
        "createCategory"
    ]
    sku = f"HIS-{tag}"
    product = (
        await data(
            manager,
            ADD_PRODUCT,
            {
                "input": {
                    "sku": sku,
                    "name": "Oolong 100 g",
                    "categoryId": category["id"],
                    "unitPrice": {"amount": "10.00", "currency": "EUR"},
                }
            },
        )
    )["addProduct"]
    receive = {"productId": product["id"], "quantity": 5, "receipt": f"DN-{tag}"}
    received = await eventually(
        lambda: gql(admin, RECEIVE, {"input": receive}), lambda body: not body.get("errors")
    )
    assert not received.get("errors"), received["errors"]
    customer = (
        await data(
            manager,
            REGISTER,
            {
                "input": {
                    "name": "Ada Lovelace",
                    "email": f"ada.{tag.lower()}@history.example",
                    "phone": "+44 20 7946 0100",
                    "address": {
                        "line1": "12 St James's Square",
                        "city": "London",
                        "postalCode": "SW1Y 4JH",
                        "country": "GB",
                    },
                }
            },
        )
    )["registerCustomer"]
    placed = (
        await data(
            manager,
            PLACE,
            {
                "input": {
                    "customerId": customer["id"],
                    "lines": [{"productId": product["id"], "quantity": 2}],
                }
            },
        )
    )["placeOrder"]
    oid = placed["id"]
    assert placed["total"]["amount"] == "20.00"
    confirmed = await eventually(
        lambda: data(admin, "query($id: ID!) { order(id: $id) { status } }", {"id": oid}),
        lambda d: d["order"]["status"] != "PENDING",
    )
    assert confirmed["order"]["status"] == "CONFIRMED"
    t_confirmed = await _instant()
    await data(
        manager,
        """mutation($id: ID!) { changeProductPrice(input: {id: $id,
             unitPrice: {amount: "12.00", currency: "EUR"}}) { id } }""",
        {"id": product["id"]},
    )
    await data(
        manager,
        'mutation($id: ID!) { updateCustomerContact(input: {id: $id, name: "Ada King"}) { id } }',
        {"id": customer["id"]},
    )
    t_changed = await _instant()
    await data(
        manager,
        """mutation($id: ID!) { payOrder(input: {id: $id, method: CARD, amount: "20.00"}) {
             id } }""",
        {"id": oid},
    )
    await data(manager, "mutation($id: ID!) { shipOrder(id: $id) { id } }", {"id": oid})
    committed = await eventually(  # inventory commits the reservation when it sees the shipment
        lambda: data(
            admin, "query($id: ID!) { product(id: $id) { onHand } }", {"id": product["id"]}
        ),
        lambda d: d["product"]["onHand"] == 3,
    )
    assert committed["product"]["onHand"] == 3
    t_shipped = await _instant()

    # history, newest first, each event with who caused it
    history = await data(
        manager, HISTORY, {"order": oid, "product": product["id"], "customer": customer["id"]}
    )
    order_events = [e["node"] for e in history["order"]["history"]["edges"]]
    assert [e["name"] for e in order_events] == [
        "OrderShipped",
        "OrderPaid",
        "OrderConfirmed",
        "OrderPlaced",
    ]
    assert history["order"]["history"]["totalCount"] == 4
    mia = {"id": member["id"], "username": member["username"]}
    assert order_events[0]["actor"] == {"staffMember": mia, "system": None}
    # the saga confirmed it, acting for the member whose placeOrder started it
    assert order_events[2]["actor"]["staffMember"] == mia
    product_history = history["product"]["history"]
    assert product_history["totalCount"] == 2 and product_history["pageInfo"]["hasNextPage"]
    [price_change] = [e["node"] for e in product_history["edges"]]
    assert price_change["name"] == "ProductPriceChanged"
    assert price_change["actor"] == {"staffMember": mia}
    assert price_change["changes"] == [
        {"field": "unitPrice", "before": '"10.00"', "after": '"12.00"'}
    ]
    [renamed, _registered] = [e["node"] for e in history["customer"]["history"]["edges"]]
    assert renamed["name"] == "CustomerContactUpdated"
    assert renamed["actor"] == {"staffMember": {"username": member["username"]}}
    assert {"field": "name", "before": '"Ada Lovelace"', "after": '"Ada King"'} in renamed[
        "changes"
    ]

    # the order, its customer and its product, as of each instant
    t_placed = datetime.fromisoformat(order_events[3]["time"])

    def expected(
        at: datetime,
        status: str,
        name: str,
        price: str,
        payment: str | None,
        stock: tuple[int, int],
    ) -> dict[str, Any]:
        return {
            "asOf": at,
            "status": status,
            "total": {"amount": "20.00"},
            "payment": {"method": payment} if payment else None,
            "customer": {"asOf": at, "name": name, "address": {"city": "London"}},
            "lines": [
                {
                    "quantity": 2,
                    "product": {
                        "asOf": at,
                        "name": "Oolong 100 g",
                        "sku": sku,
                        "unitPrice": {"amount": price},
                        "onHand": stock[0],
                        "reserved": stock[1],
                    },
                }
            ],
        }

    # stock (from inventory, as of the same instant): 5 received, 2 reserved once the saga
    # confirmed the order, 3 left once the shipment was committed
    cases = [
        expected(t_placed, "PENDING", "Ada Lovelace", "10.00", None, (5, 0)),
        expected(t_confirmed, "CONFIRMED", "Ada Lovelace", "10.00", None, (5, 2)),
        expected(t_changed, "CONFIRMED", "Ada King", "12.00", None, (5, 2)),
        expected(t_shipped, "SHIPPED", "Ada King", "12.00", "CARD", (3, 0)),
    ]
    for case in cases:
        at: datetime = case["asOf"]
        answer = (await data(manager, AS_OF, {"id": oid, "at": at.isoformat()}))["order"]
        assert _instants(answer) == _instants(case), at

    now = (await data(manager, AS_OF, {"id": oid, "at": None}))["order"]
    assert now["asOf"] is None and now["customer"]["asOf"] is None
    assert (now["status"], now["customer"]["name"]) == ("SHIPPED", "Ada King")
    assert now["lines"][0]["product"]["unitPrice"] == {"amount": "12.00"}
    assert (now["lines"][0]["product"]["onHand"], now["lines"][0]["product"]["reserved"]) == (3, 0)

    # bad instants and unknown ids
    for at, reason in (
        (datetime.now(UTC) + timedelta(minutes=10), "AS_OF_IN_FUTURE"),
        (t_placed - timedelta(seconds=1), "AS_OF_BEFORE_CREATION"),
    ):
        body = await gql(manager, AS_OF, {"id": oid, "at": at.isoformat()})
        assert body["data"] == {"order": None}, body
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["reason"] == reason
        assert error["path"] == ["order"]
    unknown = await data(
        manager, AS_OF, {"id": "00000000-0000-4000-8000-000000000000", "at": t_placed.isoformat()}
    )
    assert unknown == {"order": None}
    # a product asked for as of before it was added
    body = await gql(
        manager,
        "query($id: ID!, $at: DateTime) { product(id: $id, asOf: $at) { name } }",
        {"id": product["id"], "at": (t_placed - timedelta(days=1)).isoformat()},
    )
    assert body["errors"][0]["extensions"]["reason"] == "AS_OF_BEFORE_CREATION"


def _instants(value: Any) -> Any:
    """`value` with every `asOf` read as an instant (the wire gives ISO text)."""
    if isinstance(value, dict):
        return {k: (_as_instant(v) if k == "asOf" else _instants(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_instants(v) for v in value]
    return value


def _as_instant(value: Any) -> Any:
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


async def test_anonymous_callers_see_a_products_history_but_not_who(stack: Stack) -> None:
    tag = uuid4().hex[:8].upper()
    category = (await data(stack.gateway, CREATE_CATEGORY, {"input": {"name": f"Anon {tag}"}}))[
        "createCategory"
    ]
    product = (
        await data(
            stack.gateway,
            ADD_PRODUCT,
            {
                "input": {
                    "sku": f"ANO-{tag}",
                    "name": "Rooibos",
                    "categoryId": category["id"],
                    "unitPrice": {"amount": "3.00", "currency": "EUR"},
                }
            },
        )
    )["addProduct"]
    query = """query($id: ID!) { product(id: $id) { history { edges { node {
        name actor { system } } } } } }"""
    anonymous = httpx.AsyncClient(
        transport=stack.gateway._transport, base_url=str(stack.gateway.base_url), timeout=30
    )
    try:
        body = await gql(anonymous, query, {"id": product["id"]})
        plain = await gql(
            anonymous,
            "query($id: ID!) { product(id: $id) { history { edges { node { name } } } } }",
            {"id": product["id"]},
        )
        customer = await gql(
            anonymous,
            "query($id: ID!) { customer(id: $id, asOf: null) { history { totalCount } } }",
            {"id": product["id"]},
        )
    finally:
        await anonymous.aclose()
    assert body["data"] == {
        "product": {"history": {"edges": [{"node": {"name": "ProductAdded", "actor": None}}]}}
    }
    assert {e["extensions"]["code"] for e in body["errors"]} == {"UNAUTHORIZED_FIELD_OR_TYPE"}
    assert plain == {
        "data": {"product": {"history": {"edges": [{"node": {"name": "ProductAdded"}}]}}}
    }
    assert customer["data"] == {"customer": None}
    assert customer["errors"][0]["extensions"]["code"] == "UNAUTHORIZED_FIELD_OR_TYPE"

"""The POS graph end to end, as a front end uses it: every call goes through the gateway.

Shared by the embedded and the services runs (`test_graph.py`), which differ only in how
the subgraphs are hosted.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import uuid4

import httpx

Body = dict[str, Any]

CREATE_CATEGORY = (
    """mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id name } }"""
)
ADD_PRODUCT = """mutation($input: AddProductInput!) {
  addProduct(input: $input) { id sku name unitPrice { amount currency } } }"""
RECEIVE = """mutation($input: ReceiveStockInput!) {
  receiveStock(input: $input) { onHand reserved available } }"""
REGISTER = (
    """mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { id name } }"""
)
PLACE = """mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { id number status total { amount currency } } }"""
STATUS = "query($id: ID!) { order(id: $id) { status rejectionReasons { reason } } }"
FRONT_END = """query Receipt($id: ID!) {
  order(id: $id) {
    number
    status
    total { amount currency }
    customer { name email }
    lines { quantity product { name sku onHand available } }
  }
}"""


async def gql(client: httpx.AsyncClient, query: str, variables: Body | None = None) -> Body:
    """POST to the gateway's /graphql; the whole response body."""
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"accept": "application/graphql-response+json"},
    )
    assert response.status_code == 200, response.text
    body: Body = response.json()
    return body


async def data(client: httpx.AsyncClient, query: str, variables: Body | None = None) -> Body:
    body = await gql(client, query, variables)
    assert not body.get("errors"), body["errors"]
    result: Body = body["data"]
    return result


async def eventually(
    probe: Callable[[], Awaitable[Body]], done: Callable[[Body], bool], timeout: float = 30.0
) -> Body:
    """Poll `probe` until `done` (the read side is eventually consistent); the last answer."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        last = await probe()
        if done(last) or loop.time() > deadline:
            return last
        await asyncio.sleep(0.1)


async def place_order(client: httpx.AsyncClient, order: Body) -> Body:
    """Place an order once, right after creating its product and customer: ordering waits
    for its own projections to see them, so a front end needs no retry loop."""
    placed: Body = (await data(client, PLACE, {"input": order}))["placeOrder"]
    return placed


async def shop_and_order(client: httpx.AsyncClient) -> tuple[str, Body]:
    """Catalog, stock, customer, order; returns the order id and the expected receipt."""
    tag = uuid4().hex[:8].upper()
    category = (await data(client, CREATE_CATEGORY, {"input": {"name": f"E2E teas {tag}"}}))[
        "createCategory"
    ]
    products = []
    for sku, name, price, stock in (
        (f"E2E-SEN-{tag}", "Sencha 100 g", "7.50", 10),
        (f"E2E-CUP-{tag}", "Tea cup", "4.25", 6),
    ):
        product = (
            await data(
                client,
                ADD_PRODUCT,
                {
                    "input": {
                        "sku": sku,
                        "name": name,
                        "categoryId": category["id"],
                        "unitPrice": {"amount": price, "currency": "EUR"},
                    }
                },
            )
        )["addProduct"]
        assert product["sku"] == sku
        receive = {"productId": product["id"], "quantity": stock, "receipt": f"DN-{tag}-{sku}"}
        received = await eventually(
            lambda receive=receive: gql(client, RECEIVE, {"input": receive}),  # type: ignore[misc]
            lambda body: not body.get("errors"),
        )
        assert not received.get("errors"), received["errors"]
        assert received["data"]["receiveStock"] == {
            "onHand": stock,
            "reserved": 0,
            "available": stock,
        }
        products.append(product)
    email = f"e2e.{tag.lower()}@shop.example"
    customer = (
        await data(
            client,
            REGISTER,
            {
                "input": {
                    "name": "Edith Clarke",
                    "email": email,
                    "phone": "+44 20 7946 0018",
                    "address": {
                        "line1": "1 Tea Lane",
                        "city": "London",
                        "postalCode": "N1 9GU",
                        "country": "GB",
                    },
                }
            },
        )
    )["registerCustomer"]
    order_id = str(uuid4())
    placed = await place_order(
        client,
        {
            "id": order_id,
            "customerId": customer["id"],
            "lines": [
                {"productId": products[0]["id"], "quantity": 3},
                {"productId": products[1]["id"], "quantity": 2},
            ],
        },
    )
    assert placed["id"] == order_id
    assert re.fullmatch(r"SO-\d{8}-\d{4}", placed["number"]), placed["number"]
    assert placed["total"] == {"amount": "31.00", "currency": "EUR"}  # 3 x 7.50 + 2 x 4.25
    expected = {
        "order": {
            "number": placed["number"],
            "status": "CONFIRMED",
            "total": {"amount": "31.00", "currency": "EUR"},
            "customer": {"name": "Edith Clarke", "email": email},
            "lines": [
                {
                    "quantity": 3,
                    "product": {
                        "name": "Sencha 100 g",
                        "sku": products[0]["sku"],
                        "onHand": 10,
                        "available": 7,
                    },
                },
                {
                    "quantity": 2,
                    "product": {
                        "name": "Tea cup",
                        "sku": products[1]["sku"],
                        "onHand": 6,
                        "available": 4,
                    },
                },
            ],
        }
    }
    return order_id, expected


async def assert_order_confirmed_and_joined(client: httpx.AsyncClient) -> None:
    """The saga confirms the order; one query joins all five-subgraph data about it."""
    order_id, expected = await shop_and_order(client)
    status = await eventually(
        lambda: data(client, STATUS, {"id": order_id}),
        lambda d: d["order"]["status"] != "PENDING",
    )
    assert status == {"order": {"status": "CONFIRMED", "rejectionReasons": []}}
    receipt = await eventually(
        lambda: gql(client, FRONT_END, {"id": order_id}), lambda body: body == {"data": expected}
    )
    assert receipt == {"data": expected}


async def assert_bad_order_is_refused(
    client: httpx.AsyncClient, count_events: Callable[[], Awaitable[int]]
) -> None:
    """quantity 0 -> BAD_USER_INPUT through the gateway, and nothing is written."""
    products = (await data(client, "{ products(first: 1) { nodes { id } } }"))["products"]
    customers = (await data(client, "{ customers(first: 1) { nodes { id } } }"))["customers"]
    if not (products["nodes"] and customers["nodes"]):
        await assert_order_confirmed_and_joined(client)  # settles the saga's writes
        return await assert_bad_order_is_refused(client, count_events)
    before = await count_events()
    order_id = str(uuid4())
    body = await gql(
        client,
        PLACE,
        {
            "input": {
                "id": order_id,
                "customerId": customers["nodes"][0]["id"],
                "lines": [{"productId": products["nodes"][0]["id"], "quantity": 0}],
            }
        },
    )
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "quantity" in error["message"].lower(), error["message"]
    assert error["path"] == ["placeOrder"]
    assert await data(client, "query($id: ID!) { order(id: $id) { id } }", {"id": order_id}) == {
        "order": None
    }
    assert await count_events() == before

"""Live subscriptions through the gateway, end to end on both paths (in-process and Kafka).

The client subscribes, the shop changes (place, saga, pay, ship), and the client is pushed
each change in order, with fields from several subgraphs and never older than the event.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import httpx
import orjson
import pytest
from live_shop import (
    ORDER_UPDATES,
    STATUS_CHANGED,
    LiveShop,
    WSClient,
    admin_headers,
    assert_never_stale,
    wait_for,
)

from tests.subgraphs.saga.world import PAY, SHIP

pytestmark = pytest.mark.usefixtures("idle_feeds")


async def _pay(shop: LiveShop, order: dict[str, Any]) -> None:
    await shop.stack.data(
        "ordering",
        PAY,
        {"input": {"id": order["id"], "method": "CARD", "amount": order["total"]["amount"]}},
    )


async def _ship(shop: LiveShop, order_id: str) -> None:
    await shop.stack.data("ordering", SHIP, {"id": order_id})


def _order(payload: dict[str, Any]) -> dict[str, Any]:
    assert not payload.get("errors"), payload
    order: dict[str, Any] = payload["data"]["orderStatusChanged"]
    return order


async def test_websocket_client_follows_an_order_through_its_life(shop: LiveShop) -> None:
    world = shop.world
    gateway = shop.gateways[0]
    async with WSClient.open(gateway.ws_url) as client:
        order_id = str(uuid4())
        op = await client.subscribe(STATUS_CHANGED, {"id": order_id})
        await wait_for(lambda: gateway.feed.subscriber_count >= 1)
        await shop.stack.data(
            "ordering",
            "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }",
            {
                "input": {
                    "id": order_id,
                    "customerId": world.customer,
                    "lines": [{"productId": world.tea, "quantity": 2}],
                }
            },
        )
        pending = _order(await client.next(op))
        confirmed = _order(await client.next(op))
        await _pay(shop, confirmed)
        paid = _order(await client.next(op))
        await _ship(shop, order_id)
        shipped = _order(await client.next(op))

    assert_never_stale(
        [o["status"] for o in (pending, confirmed, paid, shipped)],
        ["PENDING", "CONFIRMED", "PAID", "SHIPPED"],
    )
    assert [paid["status"], shipped["status"]] == ["PAID", "SHIPPED"]
    for pushed in (pending, confirmed, paid, shipped):
        assert pushed["id"] == order_id
        assert pushed["customer"] == {"id": world.customer, "name": "Saga Shopper"}
        assert pushed["lines"] == [
            {
                "quantity": 2,
                "product": {"id": world.tea, "name": "Green tea", "unitPrice": {"amount": "3.50"}},
            }
        ]
        assert pushed["total"] == {"amount": "7.00", "currency": "EUR"}


async def _sse_events(
    gateway_url: str, query: str, variables: dict[str, Any], out: asyncio.Queue[dict[str, Any]]
) -> None:
    async with (
        httpx.AsyncClient(timeout=30) as http,
        http.stream(
            "POST",
            gateway_url,
            json={"query": query, "variables": variables},
            headers={"accept": "text/event-stream", **admin_headers()},
        ) as response,
    ):
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = ""
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                kind = line.removeprefix("event:").strip()
            elif line.startswith("data:") and kind == "next":
                out.put_nowait(orjson.loads(line.removeprefix("data:").strip()))
            elif kind == "complete":
                return


async def test_sse_client_follows_an_order_through_its_life(shop: LiveShop) -> None:
    """The same life as over WebSocket, over GraphQL-over-SSE (distinct connections)."""
    world = shop.world
    gateway = shop.gateways[0]
    order_id = str(uuid4())
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    before = gateway.feed.subscriber_count
    reader = asyncio.create_task(
        _sse_events(gateway.http_url, STATUS_CHANGED, {"id": order_id}, received)
    )

    async def pushed() -> dict[str, Any]:
        return _order(await asyncio.wait_for(received.get(), 20))

    try:
        await wait_for(lambda: gateway.feed.subscriber_count > before)
        await shop.stack.data(
            "ordering",
            "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }",
            {
                "input": {
                    "id": order_id,
                    "customerId": world.customer,
                    "lines": [{"productId": world.tea, "quantity": 1}],
                }
            },
        )
        pending = await pushed()
        confirmed = await pushed()
        await _pay(shop, confirmed)
        paid = await pushed()
        await _ship(shop, order_id)
        shipped = await pushed()
    finally:
        reader.cancel()
    assert_never_stale(
        [o["status"] for o in (pending, confirmed, paid, shipped)],
        ["PENDING", "CONFIRMED", "PAID", "SHIPPED"],
    )
    assert [paid["status"], shipped["status"]] == ["PAID", "SHIPPED"]
    for order in (pending, confirmed, paid, shipped):
        assert order["customer"] == {"id": world.customer, "name": "Saga Shopper"}
        assert order["lines"][0]["product"]["name"] == "Green tea"
        assert order["total"] == {"amount": "3.50", "currency": "EUR"}


async def test_sse_client_follows_an_order_and_sees_a_rejection(shop: LiveShop) -> None:
    """Over SSE on /graphql: a rejected order (more than in stock) comes with its reasons."""
    world = shop.world
    gateway = shop.gateways[0]
    order_id = str(uuid4())
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    before = gateway.feed.subscriber_count
    reader = asyncio.create_task(
        _sse_events(gateway.http_url, STATUS_CHANGED, {"id": order_id}, received)
    )
    try:
        await wait_for(lambda: gateway.feed.subscriber_count > before)
        await shop.stack.data(
            "ordering",
            "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }",
            {
                "input": {
                    "id": order_id,
                    "customerId": world.customer,
                    "lines": [{"productId": world.rare, "quantity": 5}],
                }
            },
        )
        pending = _order(await asyncio.wait_for(received.get(), 20))
        rejected = _order(await asyncio.wait_for(received.get(), 20))
    finally:
        reader.cancel()
    assert_never_stale([pending["status"], rejected["status"]], ["PENDING", "REJECTED"])
    assert rejected["rejectionReasons"] == [
        {"productId": world.rare, "reason": rejected["rejectionReasons"][0]["reason"]}
    ]
    assert rejected["rejectionReasons"][0]["reason"]
    assert rejected["lines"][0]["product"]["name"] == "Rare pot"
    # The client went away: the gateway frees its feed subscriber.
    await wait_for(lambda: gateway.feed.subscriber_count == before)


async def test_order_updates_deliver_only_the_chosen_customers_orders(shop: LiveShop) -> None:
    world = shop.world
    other = await shop.register("Other Shopper")
    await shop.stack.settle()
    gateway = shop.gateways[0]
    async with WSClient.open(gateway.ws_url) as client:
        op = await client.subscribe(ORDER_UPDATES, {"customer": other})
        await wait_for(lambda: gateway.feed.subscriber_count >= 1)
        not_theirs = await shop.place(world.customer, (world.mug, 1))
        theirs = await shop.place(other, (world.mug, 1))
        pushed = [(await client.next(op))["data"]["orderUpdates"] for _ in range(2)]
        await shop.stack.settle()
        await client.round_trip()
    assert [o["id"] for o in pushed] == [theirs, theirs]
    assert_never_stale([o["status"] for o in pushed], ["PENDING", "CONFIRMED"])
    assert pushed[0]["customer"] == {"id": other, "name": "Other Shopper"}
    assert not_theirs != theirs
    assert client.queues[op].empty(), "an order of another customer was pushed"


async def test_complete_stops_delivery_and_frees_the_feed_subscriber(shop: LiveShop) -> None:
    world = shop.world
    gateway = shop.gateways[0]
    order_id = await shop.place(world.customer, (world.tea, 1))
    await shop.stack.settle()
    before = gateway.feed.subscriber_count
    async with WSClient.open(gateway.ws_url) as client:
        op = await client.subscribe(STATUS_CHANGED, {"id": order_id})
        await wait_for(lambda: gateway.feed.subscriber_count == before + 1)
        order = await shop.stack.data(
            "ordering",
            "query($id: ID!) { order(id: $id) { id total { amount } } }",
            {"id": order_id},
        )
        await _pay(shop, order["order"])
        assert _order(await client.next(op))["status"] == "PAID"
        await client.complete(op)
        await wait_for(lambda: gateway.feed.subscriber_count == before)
        await _ship(shop, order_id)
        await shop.stack.settle()
        await asyncio.sleep(0.3)
        await client.round_trip()
        assert client.queues[op].empty(), "pushed after the client completed"


async def test_two_gateway_instances_each_deliver_to_their_own_clients(shop: LiveShop) -> None:
    world = shop.world
    order_id = str(uuid4())
    first, second = shop.gateways
    async with WSClient.open(first.ws_url) as one, WSClient.open(second.ws_url) as two:
        op_one = await one.subscribe(STATUS_CHANGED, {"id": order_id})
        op_two = await two.subscribe(STATUS_CHANGED, {"id": order_id})
        await wait_for(
            lambda: first.feed.subscriber_count >= 1 and second.feed.subscriber_count >= 1
        )
        assert first.feed.group != second.feed.group
        await shop.stack.data(
            "ordering",
            "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }",
            {
                "input": {
                    "id": order_id,
                    "customerId": world.customer,
                    "lines": [{"productId": world.tea, "quantity": 1}],
                }
            },
        )
        for client, op in ((one, op_one), (two, op_two)):
            statuses = [_order(await client.next(op))["status"] for _ in range(2)]
            assert_never_stale(statuses, ["PENDING", "CONFIRMED"])

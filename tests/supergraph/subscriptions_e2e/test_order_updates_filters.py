"""`orderUpdates` filtered by customer and by status, end to end through the gateway.

The gateway filters on event data alone, so these hold only because every order event
names its customer and the status it leads to: a customer's subscriber sees each of that
customer's orders through its whole life (confirmed, paid, shipped, rejected, cancelled),
and a status subscriber sees exactly the transitions into the statuses it asked for.
"""

from __future__ import annotations

from typing import Any

import pytest
from live_shop import ORDER_FIELDS, LiveShop, WSClient, assert_never_stale, wait_for

from tests.subgraphs.saga.world import CANCEL, GET, PAY, SHIP

pytestmark = pytest.mark.usefixtures("idle_feeds")

ORDER_UPDATES = (
    "subscription($customer: ID, $status: [OrderStatus!]) { "
    "orderUpdates(customerId: $customer, status: $status) { " + ORDER_FIELDS + " } }"
)


async def _settled(shop: LiveShop, order_id: str) -> dict[str, Any]:
    """The order once the saga has answered (no longer PENDING)."""
    await shop.stack.settle()
    order: dict[str, Any] = (await shop.stack.data("ordering", GET, {"id": order_id}))["order"]
    assert order["status"] != "PENDING", order
    return order


async def _pay(shop: LiveShop, order: dict[str, Any]) -> None:
    variables = {"input": {"id": order["id"], "method": "CARD", "amount": order["total"]["amount"]}}
    await shop.stack.data("ordering", PAY, variables)


async def _ship(shop: LiveShop, order_id: str) -> None:
    await shop.stack.data("ordering", SHIP, {"id": order_id})


async def _cancel(shop: LiveShop, order_id: str) -> None:
    await shop.stack.data("ordering", CANCEL, {"input": {"id": order_id, "reason": "changed"}})


async def _pushed(client: WSClient, op: str, count: int) -> list[tuple[str, str, str]]:
    """The next `count` pushes as (order id, customer id, status)."""
    received: list[tuple[str, str, str]] = []
    for _ in range(count):
        payload = await client.next(op)
        assert not payload.get("errors"), payload
        order = payload["data"]["orderUpdates"]
        received.append((order["id"], order["customer"]["id"], order["status"]))
    return received


def _by_order(pushed: list[tuple[str, str, str]]) -> dict[str, list[str]]:
    """Statuses per order, in arrival order (orders may interleave with one another)."""
    statuses: dict[str, list[str]] = {}
    for order_id, _, status in pushed:
        statuses.setdefault(order_id, []).append(status)
    return statuses


async def test_a_customer_subscriber_sees_every_change_of_their_orders_only(
    shop: LiveShop,
) -> None:
    world = shop.world
    alice = await shop.register("Alice Filter")
    bob = await shop.register("Bob Filter")
    await shop.stack.settle()
    gateway = shop.gateways[0]
    async with WSClient.open(gateway.ws_url) as client:
        op = await client.subscribe(ORDER_UPDATES, {"customer": alice})
        await wait_for(lambda: gateway.feed.subscriber_count >= 1)

        shipped = await shop.place(alice, (world.tea, 1))
        bobs = await shop.place(bob, (world.tea, 1))
        await _pay(shop, await _settled(shop, shipped))
        await _pay(shop, await _settled(shop, bobs))
        await _ship(shop, shipped)
        await _ship(shop, bobs)
        cancelled = await shop.place(alice, (world.mug, 1))
        await _settled(shop, cancelled)
        await _cancel(shop, cancelled)
        bobs_cancelled = await shop.place(bob, (world.mug, 1))
        await _settled(shop, bobs_cancelled)
        await _cancel(shop, bobs_cancelled)
        rejected = await shop.place(alice, (world.rare, 5))
        await _settled(shop, rejected)

        pushed = await _pushed(client, op, 9)
        await shop.stack.settle()
        await client.round_trip()
        assert client.queues[op].empty(), "pushed more than Alice's nine changes"

    assert {customer for _, customer, _ in pushed} == {alice}
    by_order = _by_order(pushed)
    assert set(by_order) == {shipped, cancelled, rejected}
    assert_never_stale(by_order[shipped], ["PENDING", "CONFIRMED", "PAID", "SHIPPED"])
    assert_never_stale(by_order[cancelled], ["PENDING", "CONFIRMED", "CANCELLED"])
    assert_never_stale(by_order[rejected], ["PENDING", "REJECTED"])


async def test_a_status_subscriber_sees_only_transitions_into_those_statuses(
    shop: LiveShop,
) -> None:
    world = shop.world
    carol = await shop.register("Carol Filter")
    dave = await shop.register("Dave Filter")
    await shop.stack.settle()
    gateway = shop.gateways[1]
    async with WSClient.open(gateway.ws_url) as client:
        paid_or_shipped = await client.subscribe(ORDER_UPDATES, {"status": ["PAID", "SHIPPED"]})
        daves_shipped = await client.subscribe(
            ORDER_UPDATES, {"customer": dave, "status": ["SHIPPED"]}
        )
        await wait_for(lambda: gateway.feed.subscriber_count >= 2)

        shipped = await shop.place(carol, (world.tea, 1))
        daves = await shop.place(dave, (world.tea, 1))
        paid_then_cancelled = await shop.place(carol, (world.tea, 1))
        for order_id in (shipped, daves, paid_then_cancelled):
            await _pay(shop, await _settled(shop, order_id))
        await _ship(shop, shipped)
        await _ship(shop, daves)
        await _cancel(shop, paid_then_cancelled)
        rejected = await shop.place(carol, (world.rare, 5))
        await _settled(shop, rejected)

        pushed = await _pushed(client, paid_or_shipped, 5)
        daves_pushed = await _pushed(client, daves_shipped, 1)
        await shop.stack.settle()
        await client.round_trip()
        assert client.queues[paid_or_shipped].empty(), "pushed a status nobody asked for"
        assert client.queues[daves_shipped].empty(), "pushed more than Dave's shipment"

    by_order = _by_order(pushed)
    assert set(by_order) == {shipped, daves, paid_then_cancelled}
    assert_never_stale(by_order[shipped], ["PAID", "SHIPPED"])
    assert_never_stale(by_order[daves], ["PAID", "SHIPPED"])
    assert_never_stale(by_order[paid_then_cancelled], ["PAID"], then=["CANCELLED"])
    assert daves_pushed == [(daves, dave, "SHIPPED")]

"""The ordering subgraph through its GraphQL endpoint, its projections and its reactor."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from eventbus import Envelope, topic_for
from subgraphs.ordering import context as ordering
from subgraphs.ordering.application.handlers import REFERENCE_WAIT
from subgraphs.ordering.projections import OrderView, fold
from tests.subgraphs.ordering.conftest import REGISTER, Shop, inventory_replies
from tests.subgraphs.saga.fakes import product_added

SCHEMA_FILE = Path(__file__).parents[3] / "schema" / "ordering.graphql"

ORDER_FIELDS = """
  id number status customer { id }
  lines { product { id name } sku quantity unitPrice { amount currency } lineTotal { amount } }
  subtotal { amount currency } total { amount currency }
  shippingAddress { line1 city postalCode country }
  payment { method amount { amount currency } }
  refund { method amount { amount currency } refundedAt }
  rejectionReasons { productId reason requested available }
  cancellationReason placedAt confirmedAt paidAt shippedAt cancelledAt
"""
PLACE = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { " + ORDER_FIELDS + " } }"
PAY = "mutation($input: PayOrderInput!) { payOrder(input: $input) { " + ORDER_FIELDS + " } }"
SHIP = "mutation($id: ID!) { shipOrder(id: $id) { " + ORDER_FIELDS + " } }"
CANCEL = (
    "mutation($input: CancelOrderInput!) { cancelOrder(input: $input) { " + ORDER_FIELDS + " } }"
)
GET = "query($id: ID!) { order(id: $id) { " + ORDER_FIELDS + " } }"


async def place(
    shop: Shop, lines: list[tuple[str, int]] | None = None, **extra: Any
) -> dict[str, Any]:
    wanted = lines or [(shop.tea, 2), (shop.mug, 1)]
    body = await shop.stack.gql(
        "ordering",
        PLACE,
        {
            "input": {
                "customerId": shop.customer_id,
                "lines": [{"productId": p, "quantity": q} for p, q in wanted],
                **extra,
            }
        },
    )
    assert not body.get("errors"), body["errors"]
    order: dict[str, Any] = body["data"]["placeOrder"]
    return order


async def get(shop: Shop, order_id: str) -> dict[str, Any]:
    order: dict[str, Any] = (await shop.stack.data("ordering", GET, {"id": order_id}))["order"]
    return order


async def test_place_order_prices_from_the_catalog_projection(shop: Shop) -> None:
    order = await place(shop)
    assert order["status"] == "PENDING"
    assert order["number"].startswith(f"SO-{datetime.now(UTC):%Y%m%d}-")
    assert order["customer"] == {"id": shop.customer_id}
    assert [
        (ln["sku"], ln["quantity"], ln["unitPrice"]["amount"], ln["lineTotal"]["amount"])
        for ln in order["lines"]
    ] == [
        ("TEA-1", 2, "3.50", "7.00"),
        ("MUG-1", 1, "12.99", "12.99"),
    ]
    assert order["lines"][0]["product"] == {"id": shop.tea, "name": "Green tea"}
    assert order["total"] == {"amount": "19.99", "currency": "EUR"}
    # Defaulted to the customer's address, from ordering's projection of pos.customers.
    assert order["shippingAddress"] == {
        "line1": "Main 1",
        "city": "Berlin",
        "postalCode": "10115",
        "country": "DE",
    }
    assert await get(shop, order["id"]) == order


async def test_order_numbers_are_sequential(shop: Shop) -> None:
    first = await place(shop)
    second = await place(shop)
    assert int(second["number"][-4:]) == int(first["number"][-4:]) + 1


async def test_reactor_confirms_then_pay_and_ship(shop: Shop) -> None:
    order = await place(shop)
    await inventory_replies(shop.stack, "StockReserved", order["id"])
    assert (await get(shop, order["id"]))["status"] == "CONFIRMED"

    body = await shop.stack.gql(
        "ordering", PAY, {"input": {"id": order["id"], "method": "CARD", "amount": "19.98"}}
    )
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "amount"}
    assert "does not match the order total 19.99 EUR" in error["message"]

    body = await shop.stack.gql("ordering", SHIP, {"id": order["id"]})
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert "only a PAID order can be shipped" in body["errors"][0]["message"]

    paid = (
        await shop.stack.data(
            "ordering", PAY, {"input": {"id": order["id"], "method": "CARD", "amount": "19.99"}}
        )
    )["payOrder"]
    assert paid["status"] == "PAID"
    assert paid["payment"] == {"method": "CARD", "amount": {"amount": "19.99", "currency": "EUR"}}
    shipped = (await shop.stack.data("ordering", SHIP, {"id": order["id"]}))["shipOrder"]
    assert shipped["status"] == "SHIPPED" and shipped["shippedAt"]
    body = await shop.stack.gql("ordering", CANCEL, {"input": {"id": order["id"]}})
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"


async def test_cancelling_a_paid_order_records_its_refund(shop: Shop) -> None:
    order = await place(shop)
    await inventory_replies(shop.stack, "StockReserved", order["id"])
    paid = (
        await shop.stack.data(
            "ordering", PAY, {"input": {"id": order["id"], "method": "CARD", "amount": "19.99"}}
        )
    )["payOrder"]
    assert paid["refund"] is None
    cancelled = (
        await shop.stack.data(
            "ordering", CANCEL, {"input": {"id": order["id"], "reason": "arrived too late"}}
        )
    )["cancelOrder"]
    assert cancelled["status"] == "CANCELLED"
    refund = cancelled["refund"]
    assert (refund["method"], refund["amount"]) == ("CARD", {"amount": "19.99", "currency": "EUR"})
    assert refund["refundedAt"] == cancelled["cancelledAt"]
    types = [e.type for e in await shop.stack.store.read_stream(order["id"])]
    assert types[-2:] == ["pos.ordering.OrderCancelled.v1", "pos.ordering.OrderRefunded.v1"]
    unpaid = await place(shop)
    cancelled = (await shop.stack.data("ordering", CANCEL, {"input": {"id": unpaid["id"]}}))[
        "cancelOrder"
    ]
    assert cancelled["refund"] is None


async def test_rejection_carries_per_line_reasons(shop: Shop) -> None:
    order = await place(shop)
    await inventory_replies(
        shop.stack,
        "StockReservationRejected",
        order["id"],
        reasons=[
            {"product_id": shop.mug, "reason": "insufficient stock", "requested": 1, "available": 0}
        ],
    )
    rejected = await get(shop, order["id"])
    assert rejected["status"] == "REJECTED"
    assert rejected["rejectionReasons"] == [
        {"productId": shop.mug, "reason": "insufficient stock", "requested": 1, "available": 0}
    ]
    body = await shop.stack.gql(
        "ordering", PAY, {"input": {"id": order["id"], "method": "CASH", "amount": "19.99"}}
    )
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"


async def test_redelivered_reply_changes_nothing(shop: Shop) -> None:
    order = await place(shop)
    await inventory_replies(shop.stack, "StockReserved", order["id"])
    version = await shop.stack.store.stream_version(order["id"])
    replies = [
        e
        for e in await shop.stack.store.read_all(0, 100_000)
        if e.data.get("order_id") == order["id"] and e.source == "inventory"
    ]
    # Deliver the same reply again, and a contradicting late one: the order stays put.
    await shop.stack.transport.publish(topic_for("inventory"), replies)
    late = Envelope(
        type="pos.inventory.StockReservationRejected.v1",
        source="inventory",
        subject=str(uuid4()),
        data={"order_id": order["id"], "reasons": []},
        stream_version=1,
    )
    await shop.stack.transport.publish(topic_for("inventory"), [late])
    await shop.stack.settle()
    assert await shop.stack.store.stream_version(order["id"]) == version
    assert (await get(shop, order["id"]))["status"] == "CONFIRMED"


async def test_cancel_before_shipping(shop: Shop) -> None:
    order = await place(shop)
    cancelled = (
        await shop.stack.data(
            "ordering", CANCEL, {"input": {"id": order["id"], "reason": "changed mind"}}
        )
    )["cancelOrder"]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["cancellationReason"] == "changed mind"
    # A reservation that arrives after the cancel does not revive the order.
    await inventory_replies(shop.stack, "StockReserved", order["id"])
    assert (await get(shop, order["id"]))["status"] == "CANCELLED"


async def test_bad_orders_are_refused_and_nothing_is_written(shop: Shop) -> None:
    before = len(await shop.stack.store.read_all(0, 100_000))
    cases = [
        (
            {"customerId": shop.customer_id, "lines": [{"productId": str(uuid4()), "quantity": 1}]},
            "does not exist in the catalog",
        ),
        (
            {"customerId": shop.customer_id, "lines": [{"productId": shop.retired, "quantity": 1}]},
            "is not active",
        ),
        (
            {"customerId": shop.customer_id, "lines": [{"productId": shop.tea, "quantity": 0}]},
            "must be positive",
        ),
        ({"customerId": shop.customer_id, "lines": []}, "at least one line"),
        (
            {"customerId": str(uuid4()), "lines": [{"productId": shop.tea, "quantity": 1}]},
            "register the customer first",
        ),
        (
            {"customerId": "bob", "lines": [{"productId": shop.tea, "quantity": 1}]},
            "not a valid customer id",
        ),
        (
            {
                "customerId": shop.customer_id,
                "lines": [{"productId": shop.tea, "quantity": 1}],
                "shippingAddress": {
                    "line1": "x",
                    "city": "y",
                    "postalCode": "1",
                    "country": "Narnia",
                },
            },
            "two-letter",
        ),
    ]
    for payload, message in cases:
        body = await shop.stack.gql("ordering", PLACE, {"input": payload})
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert message in error["message"]
    assert len(await shop.stack.store.read_all(0, 100_000)) == before
    body = await shop.stack.gql("ordering", SHIP, {"id": str(uuid4())})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_orders_connection_filters(shop: Shop) -> None:
    a = await place(shop)
    b = await place(shop)
    await inventory_replies(shop.stack, "StockReserved", b["id"])
    query = """query($status: OrderStatus, $customerId: ID, $from: DateTime, $to: DateTime,
                     $first: Int, $after: String) {
      orders(status: $status, customerId: $customerId, from: $from, to: $to,
             first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id number status } } }"""
    confirmed = (await shop.stack.data("ordering", query, {"status": "CONFIRMED"}))["orders"]
    assert b["id"] in [n["id"] for n in confirmed["nodes"]]
    assert all(n["status"] == "CONFIRMED" for n in confirmed["nodes"])
    mine = (
        await shop.stack.data("ordering", query, {"customerId": shop.customer_id, "first": 100})
    )["orders"]
    numbers = [n["number"] for n in mine["nodes"]]
    assert numbers == sorted(numbers) and {a["id"], b["id"]} <= {n["id"] for n in mine["nodes"]}
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert (await shop.stack.data("ordering", query, {"from": future}))["orders"]["totalCount"] == 0
    page = (await shop.stack.data("ordering", query, {"first": 1}))["orders"]
    after = (
        await shop.stack.data(
            "ordering", query, {"first": 1, "after": page["pageInfo"]["endCursor"]}
        )
    )["orders"]
    assert (
        page["pageInfo"]["hasNextPage"] and after["nodes"][0]["number"] > page["nodes"][0]["number"]
    )


ORDERS_PAGE = """query($customerId: ID, $orderBy: OrderSort!, $first: Int, $after: String,
                       $last: Int, $before: String) {
  orders(customerId: $customerId, orderBy: $orderBy, first: $first, after: $after,
         last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { number } } } }"""


async def walk(shop: Shop, order_by: str, *, forward: bool, size: int) -> list[str]:
    """Every number of the shop customer's orders, paged `size` at a time from one end."""
    numbers: list[str] = []
    cursor: str | None = None
    while True:
        variables: dict[str, Any] = {"customerId": shop.customer_id, "orderBy": order_by}
        variables |= (
            {"first": size, "after": cursor} if forward else {"last": size, "before": cursor}
        )
        page = (await shop.stack.data("ordering", ORDERS_PAGE, variables))["orders"]
        found = [edge["node"]["number"] for edge in page["edges"]]
        info = page["pageInfo"]
        assert 0 < len(found) <= size and page["totalCount"] >= len(found)
        if forward:
            numbers += found
            more, cursor = info["hasNextPage"], info["endCursor"]
        else:
            numbers = found + numbers
            more, cursor = info["hasPreviousPage"], info["startCursor"]
        if not more:
            return numbers


async def test_orders_newest_first_pages_both_ways(shop: Shop) -> None:
    for _ in range(5):
        await place(shop)
    everything = await walk(shop, "NUMBER_ASC", forward=True, size=100)
    assert len(everything) >= 5 and everything == sorted(everything)
    newest_first = everything[::-1]
    for size in (1, 2, 3):
        assert await walk(shop, "NUMBER_DESC", forward=True, size=size) == newest_first
        assert await walk(shop, "NUMBER_DESC", forward=False, size=size) == newest_first
        assert await walk(shop, "NUMBER_ASC", forward=False, size=size) == everything
    # The first page of the newest-first list: the latest order, and only older ones after it.
    top = (
        await shop.stack.data(
            "ordering",
            ORDERS_PAGE,
            {"customerId": shop.customer_id, "orderBy": "NUMBER_DESC", "first": 2},
        )
    )["orders"]
    assert [e["node"]["number"] for e in top["edges"]] == newest_first[:2]
    assert top["pageInfo"]["hasNextPage"] and not top["pageInfo"]["hasPreviousPage"]
    # Before the second item of that page lies exactly the first one.
    back = (
        await shop.stack.data(
            "ordering",
            ORDERS_PAGE,
            {
                "customerId": shop.customer_id,
                "orderBy": "NUMBER_DESC",
                "last": 5,
                "before": top["edges"][1]["cursor"],
            },
        )
    )["orders"]
    assert [e["node"]["number"] for e in back["edges"]] == newest_first[:1]
    # Without orderBy the list stays oldest first, as before.
    default = await shop.stack.data(
        "ordering",
        "query($c: ID) { orders(customerId: $c, first: 100) { nodes { number } } }",
        {"c": shop.customer_id},
    )
    assert [n["number"] for n in default["orders"]["nodes"]] == everything


async def test_a_cursor_from_the_other_order_is_refused(shop: Shop) -> None:
    await place(shop)
    await place(shop)
    for issued, asked in (("NUMBER_ASC", "NUMBER_DESC"), ("NUMBER_DESC", "NUMBER_ASC")):
        page = (
            await shop.stack.data(
                "ordering",
                ORDERS_PAGE,
                {"customerId": shop.customer_id, "orderBy": issued, "first": 1},
            )
        )["orders"]
        for argument in ("after", "before"):
            body = await shop.stack.gql(
                "ordering",
                ORDERS_PAGE,
                {
                    "customerId": shop.customer_id,
                    "orderBy": asked,
                    argument: page["pageInfo"]["endCursor"],
                },
            )
            assert body["data"] is None
            (error,) = body["errors"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            assert f"`{argument}` is a cursor from the" in error["message"]
            assert "keep the order you started paging with" in error["message"]


async def test_entities_and_customer_orders(shop: Shop) -> None:
    order = await place(shop)
    data = await shop.stack.data(
        "ordering",
        """query($r: [_Any!]!) { _entities(representations: $r) {
             ... on Order { id status total { amount } }
             ... on Customer { id orders(first: 100) { totalCount nodes { id } }
                               latest: orders(orderBy: NUMBER_DESC, first: 1) {
                                 nodes { id } } } } }""",
        {
            "r": [
                {"__typename": "Order", "id": order["id"]},
                {"__typename": "Customer", "id": shop.customer_id},
            ]
        },
    )
    found_order, customer = data["_entities"]
    assert found_order == {"id": order["id"], "status": "PENDING", "total": {"amount": "19.99"}}
    assert order["id"] in [n["id"] for n in customer["orders"]["nodes"]]
    assert customer["orders"]["totalCount"] >= 1
    assert customer["latest"]["nodes"] == [{"id": order["id"]}]  # the newest is this one


async def test_service_sdl_matches_the_committed_file(shop: Shop) -> None:
    served = (await shop.stack.data("ordering", "{ _service { sdl } }"))["_service"]["sdl"]
    assert served.rstrip("\n") + "\n" == ordering.sdl() == SCHEMA_FILE.read_text()
    for directive in ('@key(fields: "id")', "@shareable", '@provides(fields: "name")', "@external"):
        assert directive in served


async def test_concurrent_placements_get_distinct_sequential_numbers(shop: Shop) -> None:
    orders = await asyncio.gather(*(place(shop) for _ in range(6)))
    numbers = sorted(int(order["number"][-4:]) for order in orders)
    assert numbers == list(range(numbers[0], numbers[0] + 6))


async def test_concurrent_payments_pay_once(shop: Shop) -> None:
    order = await place(shop)
    await inventory_replies(shop.stack, "StockReserved", order["id"])
    variables = {"input": {"id": order["id"], "method": "CASH", "amount": "19.99"}}
    bodies = await asyncio.gather(*(shop.stack.gql("ordering", PAY, variables) for _ in range(5)))
    paid = [b for b in bodies if not b.get("errors")]
    refused = [b["errors"][0]["extensions"]["code"] for b in bodies if b.get("errors")]
    assert len(paid) == 1 and refused == ["CONFLICT"] * 4
    stream = await shop.stack.store.read_stream(order["id"])
    assert [e.type for e in stream].count("pos.ordering.OrderPaid.v1") == 1


async def test_write_model_fallback_equals_the_projection(shop: Shop) -> None:
    """Past the read-your-writes bound a mutation answers from the order's stream: the
    same view the projection builds."""
    order = await place(shop)
    await inventory_replies(shop.stack, "StockReserved", order["id"])
    await shop.stack.data(
        "ordering", PAY, {"input": {"id": order["id"], "method": "CARD", "amount": "19.99"}}
    )
    folded = fold(await shop.stack.store.read_stream(order["id"]))
    projected = await OrderView.get(order["id"])
    assert folded is not None and projected is not None
    assert folded.model_dump(exclude={"revision_id", "updated_at"}) == projected.model_dump(
        exclude={"revision_id", "updated_at"}
    )


async def test_order_right_after_creating_product_and_customer(shop: Shop) -> None:
    """No client retries: ordering waits for its projections to see the new ids."""
    product = await product_added(shop.stack.store, sku="NEW-1", name="Fresh", price="2.00")
    customer = await shop.stack.data(
        "customers",
        REGISTER,
        {
            "input": {
                "name": "Newcomer",
                "email": f"new.{uuid4().hex[:8]}@buyer.example",
                "phone": "+49 30 7654321",
                "address": {
                    "line1": "Side 2",
                    "city": "Bonn",
                    "postalCode": "53111",
                    "country": "DE",
                },
            }
        },
    )
    body = await shop.stack.gql(
        "ordering",
        PLACE,
        {
            "input": {
                "customerId": customer["registerCustomer"]["id"],
                "lines": [{"productId": product, "quantity": 3}],
            }
        },
    )
    assert not body.get("errors"), body["errors"]
    assert body["data"]["placeOrder"]["total"] == {"amount": "6.00", "currency": "EUR"}
    assert body["data"]["placeOrder"]["shippingAddress"]["city"] == "Bonn"


async def test_an_unknown_product_is_refused_after_a_bounded_wait(shop: Shop) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    missing = str(uuid4())
    body = await shop.stack.gql(
        "ordering",
        PLACE,
        {
            "input": {
                "customerId": shop.customer_id,
                "lines": [{"productId": missing, "quantity": 1}],
            }
        },
    )
    elapsed = loop.time() - started
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith(f"product {missing} does not exist in the catalog")
    assert REFERENCE_WAIT <= elapsed < REFERENCE_WAIT + 3.0


async def test_order_placed_by_names_the_member_from_the_event_actor(shop: Shop) -> None:
    from eventbus import acting_as
    from tests.gateway_identity import TEST_CLAIMS, identity_headers
    from tests.subgraphs.saga.fakes import emit

    placed = await place(shop)
    stored = await shop.stack.store.read_stream(placed["id"])
    assert stored[0].actor == {
        "staffId": "test-admin",
        "name": "Test Admin",
        "roles": ["ADMIN"],
        "session": "test-session",
    }
    query = "query($id: ID!) { order(id: $id) { placedBy { id } } }"
    found = await shop.stack.data("ordering", query, {"id": placed["id"]})
    assert found["order"]["placedBy"] == {"id": TEST_CLAIMS["sub"]}
    # the saga's follow-up (the reactor's confirmation) names the member of the reply
    with acting_as({"staffId": "test-admin"}):
        await emit(shop.stack.store, "inventory", "StockReserved", {"order_id": placed["id"]})
    await shop.stack.settle()
    events = await shop.stack.store.read_stream(placed["id"])
    assert [e.type.split(".")[2] for e in events] == ["OrderPlaced", "OrderConfirmed"]
    assert events[1].actor == {"staffId": "test-admin"}
    # a reply without an actor: the reactor acts as the system
    other = await place(shop)
    await inventory_replies(shop.stack, "StockReserved", other["id"])
    confirmed = (await shop.stack.store.read_stream(other["id"]))[-1]
    assert confirmed.actor is not None and set(confirmed.actor) == {"system"}
    client = shop.stack.clients["ordering"]
    body = (
        await client.post(
            "/graphql",
            json={
                "query": PLACE.replace(ORDER_FIELDS, "id"),
                "variables": {
                    "input": {
                        "customerId": shop.customer_id,
                        "lines": [{"productId": shop.tea, "quantity": 1}],
                    }
                },
            },
            headers=identity_headers(None),
        )
    ).json()
    # an anonymous caller may not place orders: the subgraph enforces its scopes again
    assert not (body.get("data") or {}).get("placeOrder"), body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", body

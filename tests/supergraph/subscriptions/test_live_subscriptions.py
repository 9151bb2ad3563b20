"""SupergraphSubscriptions: events -> filter -> entity reference -> resolver -> pushed result."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from subscription_doubles import ReadModelResolver, api_schema, serve
from websockets.asyncio.client import connect

from eventbus.envelope import Envelope
from eventbus.transports.inprocess import InProcessTransport
from supergraph.subscriptions import (
    PROTOCOL,
    EventFeed,
    Freshness,
    GraphQLTransportWS,
    OperationErrors,
    OperationRequest,
    SupergraphSubscriptions,
    live_subscriptions,
    subscription_owners,
    subscription_routes,
)

STATUS = """subscription Status($id: ID!) {
  changed: orderStatusChanged(orderId: $id) { id status ... on Order { number } }
}"""


def _order_event(type_: str, order: str, version: int, **data: Any) -> Envelope:
    return Envelope(
        type=f"pos.ordering.{type_}.v1",
        source="ordering",
        subject=order,
        data=data,
        stream_version=version,
    )


class ClockSource:
    """The clock subgraph: `ticks(count)` streams 0..count-1."""

    async def open(self, request: OperationRequest) -> AsyncIterator[dict[str, Any]]:
        count = int((request.variables or {}).get("count", 2))

        async def stream() -> AsyncIterator[dict[str, Any]]:
            for i in range(count):
                yield {"data": {"ticks": i}}

        return stream()


@pytest.fixture
async def transport() -> InProcessTransport:
    return InProcessTransport()


@pytest.fixture
def resolver() -> ReadModelResolver:
    return ReadModelResolver()


@pytest.fixture
async def clock_url() -> AsyncIterator[str]:
    app = Starlette(routes=[WebSocketRoute("/graphql", GraphQLTransportWS(ClockSource()))])
    async with serve(app) as base:
        yield f"{base}/graphql"


@pytest.fixture
async def live(
    supergraph_sdl: str,
    transport: InProcessTransport,
    resolver: ReadModelResolver,
    clock_url: str,
) -> AsyncIterator[SupergraphSubscriptions]:
    assert subscription_owners(supergraph_sdl)["ticks"] == "http://clock.invalid/graphql"
    live = live_subscriptions(
        supergraph_sdl,
        api_schema(supergraph_sdl),
        transport,
        resolver,
        subgraph_urls={"http://clock.invalid/graphql": clock_url},  # this test's clock subgraph
        freshness=Freshness(timeout=1.0, first_delay=0.01, max_delay=0.05),
        queue_size=4,
    )
    assert live.feed.topics == ["pos.inventory", "pos.ordering"]
    await live.feed.start()
    yield live
    await live.feed.stop()


@pytest.fixture
def feed(live: SupergraphSubscriptions) -> EventFeed:
    return live.feed


async def _http_graphql(request: Request) -> JSONResponse:
    return JSONResponse({"data": {"http": True}})


async def _next(stream: AsyncIterator[dict[str, Any]], timeout: float = 5.0) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        return await anext(stream)


async def test_event_resolves_the_selection_once_the_read_model_caught_up(
    live: SupergraphSubscriptions, transport: InProcessTransport, resolver: ReadModelResolver
) -> None:
    resolver.rows[("Order", "o-1")] = {
        "id": "o-1",
        "number": "N1",
        "status": "CONFIRMED",
        "version": 2,
    }
    request = OperationRequest(query=STATUS, variables={"id": "o-1"}, operation_name="Status")
    stream = await live.open(request)
    resolver.calls.clear()  # the start-time argument check (test_subscription_arguments.py)
    await transport.publish("pos.ordering", [_order_event("OrderPaid", "o-2", 3)])  # other order
    await transport.publish("pos.ordering", [_order_event("OrderPaid", "o-1", 3)])

    async def projection_catches_up() -> None:
        await asyncio.sleep(0.1)
        resolver.rows[("Order", "o-1")] = {
            "id": "o-1",
            "number": "N1",
            "status": "PAID",
            "version": 3,
        }

    catching_up = asyncio.create_task(projection_catches_up())
    result = await _next(stream)
    await catching_up
    assert result == {"data": {"changed": {"id": "o-1", "status": "PAID", "number": "N1"}}}
    calls = resolver.calls
    assert len(calls) > 1  # the stale read (version 2) was retried, never pushed
    assert {c.representation["id"] for c in calls} == {"o-1"}
    assert calls[0].representation == {"__typename": "Order", "id": "o-1"}
    assert (calls[0].alias, calls[0].min_version, calls[0].operation_name) == (
        "changed",
        3,
        "Status",
    )
    assert calls[0].variables == {"id": "o-1"}
    assert "_posEventSourceVersion: version" in calls[0].document
    await stream.aclose()  # type: ignore[attr-defined]


async def test_read_model_that_never_catches_up_gives_an_error_not_old_data(
    live: SupergraphSubscriptions, transport: InProcessTransport, resolver: ReadModelResolver
) -> None:
    resolver.rows[("Order", "o-1")] = {
        "id": "o-1",
        "number": "N1",
        "status": "CONFIRMED",
        "version": 2,
    }
    stream = await live.open(OperationRequest(query=STATUS, variables={"id": "o-1"}))
    await transport.publish("pos.ordering", [_order_event("OrderShipped", "o-1", 9)])
    result = await _next(stream)
    assert result["data"] is None
    [error] = result["errors"]
    assert error["extensions"] == {"code": "STALE_READ_MODEL", "minVersion": 9}
    assert error["path"] == ["changed"]
    assert "Order(id=o-1) has not caught up" in error["message"]
    await stream.aclose()  # type: ignore[attr-defined]


async def test_filters_by_arguments_and_keeps_per_entity_order(
    live: SupergraphSubscriptions, transport: InProcessTransport, resolver: ReadModelResolver
) -> None:
    for order in ("o-1", "o-2"):
        resolver.rows[("Order", order)] = {"id": order, "status": "PAID", "version": 10}
    query = """subscription($c: ID) {
      orderUpdates(customerId: $c, status: [PENDING, PAID]) { id status }
    }"""
    stream = await live.open(OperationRequest(query=query, variables={"c": "c-1"}))
    await transport.publish(
        "pos.ordering",
        [
            _order_event("OrderPlaced", "o-1", 1, customerId="c-1", status="PENDING"),
            _order_event("OrderPlaced", "o-2", 1, customerId="c-2", status="PENDING"),
            _order_event("OrderConfirmed", "o-1", 2, customerId="c-1", status="CONFIRMED"),
            _order_event("OrderPaid", "o-1", 3, customerId="c-1", status="PAID"),
        ],
    )
    results = [await _next(stream), await _next(stream)]
    assert results == [{"data": {"orderUpdates": {"id": "o-1", "status": "PAID"}}}] * 2
    assert [c.min_version for c in resolver.calls] == [1, 3]  # c-2 and CONFIRMED filtered out
    await stream.aclose()  # type: ignore[attr-defined]


async def test_closing_unsubscribes_and_overflow_ends_with_a_reason(
    live: SupergraphSubscriptions,
    feed: EventFeed,
    transport: InProcessTransport,
    resolver: ReadModelResolver,
) -> None:
    resolver.rows[("Order", "o-1")] = {"id": "o-1", "status": "PAID", "version": 100}
    stream = await live.open(OperationRequest(query=STATUS, variables={"id": "o-1"}))
    assert feed.subscriber_count == 1
    await transport.publish(
        "pos.ordering", [_order_event("OrderPaid", "o-1", v) for v in range(1, 8)]
    )
    await asyncio.sleep(0.1)  # nobody reads: the queue of 4 overflows
    with pytest.raises(OperationErrors) as caught:
        while True:
            await _next(stream)
    assert caught.value.errors[0]["extensions"]["code"] == "SUBSCRIPTION_OVERFLOW"
    assert "re-query" in caught.value.errors[0]["message"]
    assert feed.subscriber_count == 0

    other = await live.open(OperationRequest(query=STATUS, variables={"id": "o-1"}))
    assert feed.subscriber_count == 1
    await other.aclose()  # type: ignore[attr-defined]
    assert feed.subscriber_count == 0


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("subscription {", None, "GRAPHQL_PARSE_FAILED"),
        (
            "subscription { orderStatusChanged(orderId: 1) { nope } }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ("query { order(id: 1) { id } }", None, "BAD_USER_INPUT"),  # no execute given
        (
            "subscription($id: ID!) { orderStatusChanged(orderId: $id) { id } }",
            {},
            "BAD_USER_INPUT",
        ),
        (
            "subscription A { ticks(count: 1) } subscription B { ticks(count: 1) }",
            None,
            "BAD_USER_INPUT",
        ),
    ],
)
async def test_bad_operations_cannot_start(
    live: SupergraphSubscriptions,
    feed: EventFeed,
    query: str,
    variables: dict[str, Any] | None,
    code: str,
) -> None:
    with pytest.raises(OperationErrors) as caught:
        await live.open(OperationRequest(query=query, variables=variables))
    assert caught.value.errors[0]["extensions"]["code"] == code
    assert feed.subscriber_count == 0


async def test_non_event_field_is_forwarded_to_its_subgraph(live: SupergraphSubscriptions) -> None:
    query = "subscription($count: Int!) { ticks(count: $count) }"
    stream = await live.open(OperationRequest(query=query, variables={"count": 3}))
    assert [r async for r in stream] == [{"data": {"ticks": i}} for i in range(3)]


async def test_end_to_end_over_websocket_and_sse(
    live: SupergraphSubscriptions, transport: InProcessTransport, resolver: ReadModelResolver
) -> None:
    import httpx

    resolver.rows[("Order", "o-7")] = {
        "id": "o-7",
        "number": "N7",
        "status": "SHIPPED",
        "version": 4,
    }
    app = Starlette(
        routes=[
            Route("/graphql", _http_graphql, methods=["GET", "POST"]),
            *subscription_routes(live),  # WebSocket on /graphql beside HTTP, SSE on /stream
        ]
    )
    async with serve(app) as base:
        async with httpx.AsyncClient(base_url=base) as plain:
            assert (await plain.post("/graphql", json={})).json() == {"data": {"http": True}}
        ws_url = base.replace("http://", "ws://") + "/graphql"
        async with connect(ws_url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
            await ws.send('{"type":"connection_init"}')
            assert orjson.loads(await ws.recv()) == {"type": "connection_ack"}
            payload = {"query": STATUS, "variables": {"id": "o-7"}}
            await ws.send(
                orjson.dumps({"id": "s1", "type": "subscribe", "payload": payload}).decode()
            )
            async with (
                httpx.AsyncClient(base_url=base, timeout=10) as http,
                http.stream(
                    "POST", "/graphql/stream", json=payload, headers={"accept": "text/event-stream"}
                ) as sse,
            ):
                assert sse.status_code == 200
                async with asyncio.timeout(5):
                    while live.feed.subscriber_count < 2:
                        await asyncio.sleep(0.01)
                await transport.publish("pos.ordering", [_order_event("OrderShipped", "o-7", 4)])
                expected = {"data": {"changed": {"id": "o-7", "status": "SHIPPED", "number": "N7"}}}
                async with asyncio.timeout(5):
                    async for line in sse.aiter_lines():
                        if line.startswith("data: {"):
                            assert orjson.loads(line[len("data: ") :]) == expected
                            break
            message = orjson.loads(await asyncio.wait_for(ws.recv(), 5))
            assert message == {"id": "s1", "type": "next", "payload": expected}


async def test_queries_over_the_socket_run_through_execute_when_given(
    live: SupergraphSubscriptions,
) -> None:
    seen: list[OperationRequest] = []

    async def execute(request: OperationRequest) -> dict[str, Any]:
        seen.append(request)
        return {"data": {"order": None}}

    live.execute = execute
    stream = await live.open(OperationRequest(query='query { order(id: "1") { id } }'))
    assert [r async for r in stream] == [{"data": {"order": None}}]
    assert seen[0].query.startswith("query")


async def test_identical_subscribers_share_each_event_resolution(
    live: SupergraphSubscriptions, transport: InProcessTransport, resolver: ReadModelResolver
) -> None:
    resolver.rows[("Order", "o-1")] = {"id": "o-1", "number": "N1", "status": "PAID", "version": 3}
    same = OperationRequest(query=STATUS, variables={"id": "o-1"}, operation_name="Status")
    streams = [await live.open(same) for _ in range(3)]
    other = await live.open(
        OperationRequest(
            query="subscription($id: ID!) { orderStatusChanged(orderId: $id) { status } }",
            variables={"id": "o-1"},
        )
    )
    resolver.calls.clear()  # the start-time argument checks (test_subscription_arguments.py)
    await transport.publish("pos.ordering", [_order_event("OrderPaid", "o-1", 3)])
    results = [await _next(s) for s in streams]
    assert results == [{"data": {"changed": {"id": "o-1", "status": "PAID", "number": "N1"}}}] * 3
    assert await _next(other) == {"data": {"orderStatusChanged": {"status": "PAID"}}}
    # one resolution for the three identical subscribers, one for the other operation
    assert len(resolver.calls) == 2
    for s in [*streams, other]:
        await s.aclose()  # type: ignore[attr-defined]

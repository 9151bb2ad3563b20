"""Subscriptions over multipart HTTP (Apollo's protocol, subscriptionSpec 1.0).

First the protocol against a scripted source (parts, heartbeats, completion, errors,
clients that leave or stop reading); then the gateway's own `/graphql` route as
`create_app` wires it, fed by the in-process bus, read by httpx and by Apollo Client's
HttpLink (tools/clients/apollo_subscribe.mjs), which is what front ends use.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Message
from subscription_doubles import ScriptedSource, serve
from test_reference_clients import ClockSource, NodeClient

from eventbus.envelope import Envelope
from eventbus.transports.inprocess import InProcessTransport
from supergraph.runtime import create_app
from supergraph.subscriptions import (
    MULTIPART_SUBSCRIPTION,
    Freshness,
    GraphQLMultipart,
    GraphQLTransportWS,
    OperationErrors,
    OperationRequest,
    wants_multipart_subscription,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
from federated_subgraph import FederatedSubgraph

SDL = Path(__file__).resolve().parent / "sdl"
# what Apollo Client 4 sends for a subscription, and what Apollo's protocol page shows
APOLLO_CLIENT_ACCEPT = (
    "multipart/mixed;boundary=graphql;subscriptionSpec=1.0,"
    "application/graphql-response+json,application/json;q=0.9"
)
DOCUMENTED_ACCEPT = 'multipart/mixed;subscriptionSpec="1.0", application/json'
HEARTBEAT: dict[str, Any] = {}


def parts(body: bytes) -> list[Any]:
    """The JSON parts of a finished multipart body; fails unless it is well framed."""
    assert body.startswith(b"\r\n--graphql\r\n"), body[:40]
    assert body.endswith(b"\r\n--graphql--\r\n"), body[-40:]
    out = []
    for raw in body[: -len(b"\r\n--graphql--\r\n")].split(b"\r\n--graphql\r\n")[1:]:
        headers, _, payload = raw.partition(b"\r\n\r\n")
        assert headers.lower() == b"content-type: application/json", headers
        out.append(orjson.loads(payload))
    return out


class PartReader:
    """Reads parts from a streaming response as they arrive."""

    def __init__(self, response: httpx.Response) -> None:
        self.chunks = response.aiter_bytes()
        self.buffer = b""
        self.closed = False

    async def next(self) -> Any:
        """The next part (None once the closing boundary arrived)."""
        marker = b"\r\n--graphql"
        while True:
            start = self.buffer.find(marker)
            if start >= 0 and self.buffer[start + len(marker) :].startswith(b"--"):
                self.closed = True
                return None
            end = self.buffer.find(marker, start + 1) if start >= 0 else -1
            if end > start >= 0:
                part, self.buffer = self.buffer[start:end], self.buffer[end:]
                return orjson.loads(part.partition(b"\r\n\r\n")[2])
            self.buffer += await anext(self.chunks)

    async def payload(self) -> Any:
        """The next part that is not a heartbeat."""
        while True:
            part = await self.next()
            if part != HEARTBEAT:
                return part


# ---- the protocol, against a scripted source --------------------------------------------


@pytest.fixture
def source() -> ScriptedSource:
    return ScriptedSource()


def harness(source: ScriptedSource, **options: Any) -> Starlette:
    """`GraphQLMultipart` behind a route that decodes `{"query"}` (http.py's job)."""
    multipart = GraphQLMultipart(source, **options)

    async def endpoint(request: Request) -> Response:
        body = orjson.loads(await request.body())
        return await multipart.respond(
            OperationRequest(query=body["query"]), request.headers.get("accept", "")
        )

    return Starlette(routes=[Route("/graphql", endpoint, methods=["POST"])])


@pytest.fixture
async def client(source: ScriptedSource) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        serve(harness(source, heartbeat=0.05)) as base,
        httpx.AsyncClient(base_url=base, timeout=10) as http,
    ):
        yield http


def post(query: str, accept: str = APOLLO_CLIENT_ACCEPT) -> dict[str, Any]:
    return {"json": {"query": query}, "headers": {"accept": accept}}


@pytest.mark.parametrize(
    ("accept", "wanted"),
    [
        (APOLLO_CLIENT_ACCEPT, True),
        (DOCUMENTED_ACCEPT, True),
        ('multipart/mixed; boundary="graphql"; subscriptionSpec="1.0", application/json', True),
        ('multipart/mixed;boundary="graphql";deferSpec=20220824, application/json', False),
        ("multipart/mixed;subscriptionSpec=2.0, application/json", False),
        ("application/json", False),
        ("", False),
    ],
)
def test_which_accept_headers_ask_for_multipart_subscriptions(accept: str, wanted: bool) -> None:
    assert wants_multipart_subscription(accept) is wanted


async def test_each_result_is_a_payload_part_then_the_closing_boundary(
    client: httpx.AsyncClient, source: ScriptedSource
) -> None:
    response = await client.post("/graphql", **post("count:2"))
    assert response.status_code == 200
    assert response.headers["content-type"] == MULTIPART_SUBSCRIPTION
    # a heartbeat first: the client knows the subscription is live before any event
    assert parts(response.content) == [
        HEARTBEAT,
        {"payload": {"data": {"n": 0}}},
        {"payload": {"data": {"n": 1}}},
    ]
    assert source.closed == 1


async def test_a_quiet_subscription_gets_heartbeats_and_a_leaving_client_frees_it(
    client: httpx.AsyncClient, source: ScriptedSource
) -> None:
    async with client.stream("POST", "/graphql", **post("forever")) as response:
        reader = PartReader(response)
        for _ in range(3):
            assert await reader.next() == HEARTBEAT
        assert source.closed == 0
    async with asyncio.timeout(5):
        while source.closed < 1:
            await asyncio.sleep(0.02)


async def test_an_error_that_ends_the_subscription_is_a_transport_level_error(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/graphql", **post("fail-after:1"))
    assert parts(response.content) == [
        HEARTBEAT,
        {"payload": {"data": {"n": 0}}},
        {
            "payload": None,
            "errors": [
                {"message": "the feed ended", "extensions": {"code": "SUBSCRIPTION_OVERFLOW"}}
            ],
        },
    ]


async def test_an_unexpected_failure_ends_the_stream_without_leaking_details(
    client: httpx.AsyncClient, source: ScriptedSource
) -> None:
    response = await client.post("/graphql", **post("crash"))
    [heartbeat, failure] = parts(response.content)
    assert heartbeat == HEARTBEAT
    assert failure["payload"] is None
    assert failure["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert b"secret" not in response.content
    assert source.closed == 1


@pytest.mark.parametrize(
    ("accept", "status", "media"),
    [
        (APOLLO_CLIENT_ACCEPT, 400, "application/graphql-response+json"),
        (DOCUMENTED_ACCEPT, 200, "application/json"),
    ],
)
async def test_an_operation_that_cannot_start_answers_like_a_query(
    client: httpx.AsyncClient, source: ScriptedSource, accept: str, status: int, media: str
) -> None:
    response = await client.post("/graphql", **post("bad", accept))
    assert response.status_code == status
    assert response.headers["content-type"] == media
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert source.started == 0


class RefusingSource:
    """A guarded source refusing every operation with one error code."""

    def __init__(self, code: str) -> None:
        self.code = code

    async def open(self, request: OperationRequest) -> AsyncIterator[dict[str, Any]]:
        raise OperationErrors([{"message": "no", "extensions": {"code": self.code}}])


@pytest.mark.parametrize(
    ("code", "status"), [("UNAUTHENTICATED", 401), ("UNAUTHORIZED_FIELD_OR_TYPE", 403)]
)
async def test_refused_credentials_answer_401_or_403(code: str, status: int) -> None:
    multipart = GraphQLMultipart(RefusingSource(code))
    response = await multipart.respond(OperationRequest(query="x"), APOLLO_CLIENT_ACCEPT)
    assert response.status_code == status
    assert orjson.loads(bytes(response.body))["errors"][0]["extensions"]["code"] == code


async def test_a_client_that_stops_reading_loses_its_subscription(source: ScriptedSource) -> None:
    """Writes block (the client's socket buffer is full): after `send_timeout` the stream
    is dropped and the subscription freed, instead of waiting forever."""
    app = harness(source, heartbeat=0.05, send_timeout=0.2)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"accept", APOLLO_CLIENT_ACCEPT.encode())],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
    }
    sent: list[Message] = []
    stalled = asyncio.Event()
    body = orjson.dumps({"query": "forever"})
    requests: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # no disconnect: the client is there, just not reading
        return {}

    async def send(message: Message) -> None:
        sent.append(message)
        bodies = [m for m in sent if m["type"] == "http.response.body" and m.get("body")]
        if len(bodies) > 1:  # the first heartbeat went out; the next write never completes
            stalled.set()
            await asyncio.Event().wait()

    async with asyncio.timeout(5):
        await app(scope, receive, send)
    assert stalled.is_set()
    assert sent[0]["status"] == 200
    assert source.closed == 1


# ---- the gateway's /graphql route -------------------------------------------------------

STATUS = """subscription Status($id: ID!) {
  changed: orderStatusChanged(orderId: $id) { __typename id status number }
}"""
TICKS = "subscription Ticks($count: Int!) { ticks(count: $count) }"
INVALID = "subscription { orderStatusChanged(orderId: 1) { nope } }"


@dataclass
class LiveGateway:
    url: str
    app: Starlette
    transport: InProcessTransport
    orders: dict[str, dict[str, Any]]

    @property
    def subscriber_count(self) -> int:
        count: int = self.app.state.subscriptions.feed.subscriber_count
        return count

    async def subscribed(self, count: int) -> None:
        async with asyncio.timeout(5):
            while self.subscriber_count != count:
                await asyncio.sleep(0.01)

    async def publish(self, order: str, status: str, version: int) -> None:
        """The read model has the new status, then the event is on the bus."""
        self.orders[order].update(status=status, version=version)
        event = Envelope(
            type=f"pos.ordering.Order{status.title()}.v1",
            source="ordering",
            subject=order,
            data={},
            stream_version=version,
        )
        await self.transport.publish("pos.ordering", [event])


@pytest.fixture
async def gateway(supergraph_sdl: str) -> AsyncIterator[LiveGateway]:
    """create_app over the composed supergraph: Order entities from an ordering subgraph
    double (in process), `ticks` forwarded to a clock subgraph that completes."""
    orders = {
        name: {"id": name, "number": f"N-{name}", "customerId": "c-1", "status": "PENDING"}
        | {"version": 0}
        for name in ("o-1", "o-2")
    }
    ordering = FederatedSubgraph.from_file(
        "ordering",
        SDL / "ordering.graphql",
        records={"Order": list(orders.values())},
        resolvers={"Query": {"order": lambda _obj, _info, id: orders.get(id)}},
    )
    clock = Starlette(routes=[WebSocketRoute("/graphql", GraphQLTransportWS(ClockSource()))])
    transport = InProcessTransport()
    async with serve(clock) as clock_base:
        app = create_app(
            supergraph_sdl,
            subgraph_urls={"clock": f"{clock_base}/graphql"},
            transports={"http://ordering.invalid/graphql": httpx.ASGITransport(app=ordering.app)},
            event_transport=transport,
            freshness=Freshness(timeout=1.0, first_delay=0.01, max_delay=0.05),
            multipart_heartbeat=0.2,
        )
        async with serve(app, lifespan="on") as base:
            yield LiveGateway(f"{base}/graphql", app, transport, orders)


async def test_gateway_streams_events_in_order_over_graphql_route(gateway: LiveGateway) -> None:
    request = {"query": STATUS, "variables": {"id": "o-1"}}
    async with (
        httpx.AsyncClient(timeout=10) as http,
        http.stream(
            "POST", gateway.url, json=request, headers={"accept": APOLLO_CLIENT_ACCEPT}
        ) as response,
    ):
        assert response.headers["content-type"] == MULTIPART_SUBSCRIPTION
        reader = PartReader(response)
        assert await reader.next() == HEARTBEAT
        await gateway.subscribed(1)
        await gateway.publish("o-2", "CONFIRMED", 1)  # another order: filtered out
        seen = []
        for version, status in enumerate(["CONFIRMED", "PAID"], start=1):
            await gateway.publish("o-1", status, version)
            seen.append(await reader.payload())
    changed = [
        {"__typename": "Order", "id": "o-1", "status": s, "number": "N-o-1"}
        for s in ("CONFIRMED", "PAID")
    ]
    assert seen == [{"payload": {"data": {"changed": c}}} for c in changed]
    await gateway.subscribed(0)  # the client left: its feed subscription is gone


async def test_gateway_ends_the_stream_when_the_subscription_completes(
    gateway: LiveGateway,
) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(
            gateway.url,
            json={"query": TICKS, "variables": {"count": 3}},
            headers={"accept": DOCUMENTED_ACCEPT},
        )
    assert [p for p in parts(response.content) if p != HEARTBEAT] == [
        {"payload": {"data": {"ticks": i}}} for i in range(3)
    ]


async def test_gateway_keeps_queries_with_a_multipart_accept_on_the_query_path(
    gateway: LiveGateway,
) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(
            gateway.url,
            json={"query": '{ order(id: "o-1") { id status } }'},
            headers={"accept": APOLLO_CLIENT_ACCEPT},
        )
        invalid = await http.post(
            gateway.url, json={"query": INVALID}, headers={"accept": DOCUMENTED_ACCEPT}
        )
    assert response.headers["content-type"] == "application/graphql-response+json"
    assert response.json() == {"data": {"order": {"id": "o-1", "status": "PENDING"}}}
    assert invalid.status_code == 200
    assert invalid.headers["content-type"] == "application/json"
    [error] = invalid.json()["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert gateway.subscriber_count == 0


# ---- Apollo Client's HttpLink -----------------------------------------------------------


@pytest.fixture
async def clients() -> AsyncIterator[list[NodeClient]]:
    started: list[NodeClient] = []
    yield started
    for node in started:
        node.stop()
        await node.proc.wait()


async def test_apollo_client_receives_events_in_order_until_it_unsubscribes(
    gateway: LiveGateway, clients: list[NodeClient]
) -> None:
    node = await NodeClient.start(
        "apollo_subscribe.mjs", gateway.url, STATUS, {"id": "o-1"}, stop_after=3
    )
    clients.append(node)
    await gateway.subscribed(1)
    await gateway.publish("o-2", "CONFIRMED", 1)  # another order: filtered out
    for version, status in enumerate(["CONFIRMED", "PAID", "SHIPPED"], start=1):
        await gateway.publish("o-1", status, version)
        await node.until("next", count=version)
    events = await node.until("done")
    assert [e for e in events if e["event"] == "next"] == [
        {
            "event": "next",
            "data": {
                "changed": {"__typename": "Order", "id": "o-1", "status": s, "number": "N-o-1"}
            },
            "error": None,
        }
        for s in ("CONFIRMED", "PAID", "SHIPPED")
    ]
    assert [e["event"] for e in events][-2:] == ["unsubscribed", "done"]
    await gateway.subscribed(0)  # unsubscribing aborted the request: the server side is freed
    await node.exits()


async def test_apollo_client_sees_the_server_complete_the_subscription(
    gateway: LiveGateway, clients: list[NodeClient]
) -> None:
    node = await NodeClient.start("apollo_subscribe.mjs", gateway.url, TICKS, {"count": 3})
    clients.append(node)
    events = await node.until("done")
    assert [e["event"] for e in events] == ["next", "next", "next", "complete", "done"]
    assert [e["data"] for e in events[:3]] == [{"ticks": i} for i in range(3)]
    await node.exits()


async def test_apollo_client_reports_a_validation_error_as_graphql_errors(
    gateway: LiveGateway, clients: list[NodeClient]
) -> None:
    node = await NodeClient.start("apollo_subscribe.mjs", gateway.url, INVALID, {})
    clients.append(node)
    events = await node.until("done")
    [result] = [e for e in events if e["event"] == "next"]
    assert result["data"] is None
    assert result["error"]["name"] == "CombinedGraphQLErrors"
    [error] = result["error"]["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "nope" in error["message"]
    await node.exits()

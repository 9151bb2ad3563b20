"""GraphQL over SSE, distinct connections mode."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.types import Message
from subscription_doubles import ScriptedSource, serve

from supergraph.subscriptions import GraphQLSSE

STREAM = {"accept": "text/event-stream"}


@pytest.fixture
def source() -> ScriptedSource:
    return ScriptedSource()


@pytest.fixture
async def client(source: ScriptedSource) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=[GraphQLSSE(source, keepalive=0.05).route("/graphql/stream")])
    async with serve(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as http:
        yield http


def _events(body: str) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for block in body.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith(":"):
                continue  # keep-alive comment
            name, _, value = line.partition(":")
            fields[name] = value.strip()
        if "event" in fields:
            data = fields.get("data")
            out.append((fields["event"], orjson.loads(data) if data else None))
    return out


async def test_post_streams_next_events_then_complete(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql/stream", json={"query": "count:2"}, headers=STREAM)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text.startswith('event: next\ndata: {"data":{"n":0}}\n\n')
    assert _events(response.text) == [
        ("next", {"data": {"n": 0}}),
        ("next", {"data": {"n": 1}}),
        ("complete", None),
    ]


async def test_get_reads_query_parameters(
    client: httpx.AsyncClient, source: ScriptedSource
) -> None:
    params = {"query": "count:1", "variables": '{"id": "o-1"}', "operationName": "Live"}
    response = await client.get("/graphql/stream", params=params, headers=STREAM)
    assert _events(response.text) == [("next", {"data": {"n": 0}}), ("complete", None)]
    request = source.requests[0]
    assert (request.variables, request.operation_name) == ({"id": "o-1"}, "Live")


async def test_an_operation_that_cannot_start_is_reported_on_the_stream(
    client: httpx.AsyncClient,
) -> None:
    # the protocol: validation errors come through an accepted stream, not an HTTP 400
    # (an EventSource or the graphql-sse client would only see a failed connection)
    response = await client.post("/graphql/stream", json={"query": "bad"}, headers=STREAM)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    [(kind, payload), end] = _events(response.text)
    assert kind == "next"
    assert payload["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"  # type: ignore[index]
    assert end == ("complete", None)


async def test_error_during_the_stream_ends_it(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql/stream", json={"query": "fail-after:1"}, headers=STREAM)
    events = _events(response.text)
    assert events[0] == ("next", {"data": {"n": 0}})
    assert events[1][0] == "next" and "errors" in events[1][1]  # type: ignore[operator]
    assert events[2] == ("complete", None)


@pytest.mark.parametrize(
    ("kwargs", "status", "fragment"),
    [
        (
            {"json": {"query": "count:1"}, "headers": {"accept": "application/json"}},
            406,
            "text/event-stream",
        ),
        ({"json": {"variables": {}}, "headers": STREAM}, 400, "`query` is required"),
        ({"content": b"{nope", "headers": STREAM}, 400, "must be JSON"),
        (
            {"json": {"query": "count:1", "variables": [1]}, "headers": STREAM},
            400,
            "`variables` must be an object",
        ),
    ],
)
async def test_bad_requests(
    client: httpx.AsyncClient, kwargs: dict, status: int, fragment: str
) -> None:
    response = await client.post("/graphql/stream", **kwargs)
    assert response.status_code == status
    assert fragment in response.json()["errors"][0]["message"]


async def test_keepalive_and_client_disconnect_frees_the_stream(
    client: httpx.AsyncClient, source: ScriptedSource
) -> None:
    async with client.stream(
        "POST", "/graphql/stream", json={"query": "forever"}, headers=STREAM
    ) as response:
        chunks = response.aiter_text()
        first = await anext(chunks)
        assert first.startswith(":")  # a comment keeps the quiet stream open
    async with asyncio.timeout(5):
        while source.closed < 1:
            await asyncio.sleep(0.02)


async def test_a_client_that_stops_reading_loses_its_stream(source: ScriptedSource) -> None:
    """The server's writes block (the client's socket buffer is full): after `send_timeout`
    the stream is dropped and the subscription freed, instead of waiting forever."""
    app = Starlette(
        routes=[GraphQLSSE(source, keepalive=0.05, send_timeout=0.2).route("/graphql/stream")]
    )
    body = orjson.dumps({"query": "forever"})
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql/stream",
        "raw_path": b"/graphql/stream",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"accept", b"text/event-stream"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
    }
    sent: list[Message] = []
    stalled = asyncio.Event()
    requests: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # no disconnect: the client is there, just not reading
        return {}

    async def send(message: Message) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and message.get("body"):
            stalled.set()
            await asyncio.Event().wait()  # this write never completes

    async with asyncio.timeout(5):
        await app(scope, receive, send)
    assert stalled.is_set()
    assert sent[0]["status"] == 200
    assert source.closed == 1

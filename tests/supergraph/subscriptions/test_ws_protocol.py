"""graphql-transport-ws: every message type and close code, through Starlette's TestClient."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocketDisconnect
from subscription_doubles import ScriptedSource

from supergraph.subscriptions import PROTOCOL, CloseCode, GraphQLTransportWS

with warnings.catch_warnings():
    # Starlette's note that its TestClient will move to httpx2: not our concern here.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient


def _on_connect(payload: dict[str, Any] | None) -> bool | dict[str, Any]:
    if payload is None:
        return True
    if payload.get("token") == "boom":
        raise RuntimeError("auth backend down")
    if payload.get("token") == "nope":
        return False
    return {"user": payload.get("token")}


@pytest.fixture
def source() -> ScriptedSource:
    return ScriptedSource()


@pytest.fixture
def client(source: ScriptedSource) -> Iterator[TestClient]:
    app = Starlette(
        routes=[
            WebSocketRoute(
                "/graphql",
                GraphQLTransportWS(source, on_connect=_on_connect, init_timeout=0.3),
            )
        ]
    )
    with TestClient(app) as test_client:
        yield test_client


def _connect(client: TestClient, protocol: str = PROTOCOL) -> Any:
    return client.websocket_connect("/graphql", subprotocols=[protocol])


def _closed_with(ws: Any) -> tuple[int, str]:
    with pytest.raises(WebSocketDisconnect) as caught:
        for _ in range(10):
            ws.receive_json()
    return caught.value.code, caught.value.reason


def _init(ws: Any, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "connection_init"}
    if payload is not None:
        message["payload"] = payload
    ws.send_json(message)
    ack: dict[str, Any] = ws.receive_json()
    return ack


def _subscribe(ws: Any, op_id: str, query: str) -> None:
    ws.send_json({"id": op_id, "type": "subscribe", "payload": {"query": query}})


def test_init_ack_with_hook_payload_then_next_and_complete(
    client: TestClient, source: ScriptedSource
) -> None:
    with _connect(client) as ws:
        assert ws.accepted_subprotocol == PROTOCOL
        assert _init(ws, {"token": "alice"}) == {
            "type": "connection_ack",
            "payload": {"user": "alice"},
        }
        _subscribe(ws, "1", "count:3")
        assert [ws.receive_json() for _ in range(4)] == [
            {"id": "1", "type": "next", "payload": {"data": {"n": 0}}},
            {"id": "1", "type": "next", "payload": {"data": {"n": 1}}},
            {"id": "1", "type": "next", "payload": {"data": {"n": 2}}},
            {"id": "1", "type": "complete"},
        ]
    request = source.requests[0]
    assert request.connection_params == {"token": "alice"}
    assert request.headers["host"] == "testserver"


def test_ack_without_payload_when_hook_says_true(client: TestClient) -> None:
    with _connect(client) as ws:
        assert _init(ws) == {"type": "connection_ack"}


def test_ping_pong(client: TestClient) -> None:
    with _connect(client) as ws:
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}
        ws.send_json({"type": "ping", "payload": {"t": 1}})
        assert ws.receive_json() == {"type": "pong", "payload": {"t": 1}}
        ws.send_json({"type": "pong"})  # unsolicited pong: ignored, connection stays
        assert _init(ws) == {"type": "connection_ack"}


def test_bad_operation_gets_error_message_and_connection_lives_on(client: TestClient) -> None:
    with _connect(client) as ws:
        _init(ws)
        _subscribe(ws, "a", "bad")
        message = ws.receive_json()
        assert message["type"] == "error" and message["id"] == "a"
        assert message["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        _subscribe(ws, "a", "count:1")  # the id is free again
        assert ws.receive_json()["type"] == "next"
        assert ws.receive_json() == {"id": "a", "type": "complete"}


def test_error_during_stream_and_internal_failure(client: TestClient) -> None:
    with _connect(client) as ws:
        _init(ws)
        _subscribe(ws, "1", "fail-after:1")
        assert ws.receive_json()["type"] == "next"
        error = ws.receive_json()
        assert error["type"] == "error"
        assert error["payload"][0]["extensions"]["code"] == "SUBSCRIPTION_OVERFLOW"
        _subscribe(ws, "2", "crash")
        crash = ws.receive_json()
        assert crash["type"] == "error"
        assert crash["payload"] == [
            {"message": "Internal server error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        ]


def test_client_complete_stops_the_operation(client: TestClient, source: ScriptedSource) -> None:
    with _connect(client) as ws:
        _init(ws)
        _subscribe(ws, "1", "forever")
        _wait_for(lambda: source.started == 1)
        ws.send_json({"id": "1", "type": "complete"})
        _wait_for(lambda: source.closed == 1)
        _subscribe(ws, "1", "count:1")  # reusable id, nothing else was sent for the old one
        assert ws.receive_json() == {"id": "1", "type": "next", "payload": {"data": {"n": 0}}}


def test_disconnect_closes_every_operation(client: TestClient, source: ScriptedSource) -> None:
    with _connect(client) as ws:
        _init(ws)
        _subscribe(ws, "1", "forever")
        _subscribe(ws, "2", "forever")
        _wait_for(lambda: source.started == 2)
    _wait_for(lambda: source.closed == 2)


def test_4403_when_on_connect_refuses(client: TestClient) -> None:
    with _connect(client) as ws:
        ws.send_json({"type": "connection_init", "payload": {"token": "nope"}})
        assert _closed_with(ws) == (CloseCode.FORBIDDEN, "Forbidden")


def test_4401_subscribe_before_ack(client: TestClient) -> None:
    with _connect(client) as ws:
        _subscribe(ws, "1", "count:1")
        assert _closed_with(ws) == (CloseCode.UNAUTHORIZED, "Unauthorized")


def test_4408_no_init_in_time(client: TestClient) -> None:
    with _connect(client) as ws:
        assert _closed_with(ws) == (
            CloseCode.CONNECTION_INITIALISATION_TIMEOUT,
            "Connection initialisation timeout",
        )


def test_4409_duplicate_operation_id(client: TestClient) -> None:
    with _connect(client) as ws:
        _init(ws)
        _subscribe(ws, "dup", "forever")
        _subscribe(ws, "dup", "forever")
        assert _closed_with(ws) == (
            CloseCode.SUBSCRIBER_ALREADY_EXISTS,
            "Subscriber for dup already exists",
        )


def test_4429_second_init(client: TestClient) -> None:
    with _connect(client) as ws:
        _init(ws)
        ws.send_json({"type": "connection_init"})
        assert _closed_with(ws) == (
            CloseCode.TOO_MANY_INITIALISATION_REQUESTS,
            "Too many initialisation requests",
        )


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("not json", "Invalid message received"),
        ('{"payload": {}}', "Invalid message received"),
        ('{"type": "connection_ack"}', "Unexpected message of type connection_ack received"),
        ('{"type": "next", "id": "1"}', "Unexpected message of type next received"),
        ('{"type": "connection_init", "payload": 5}', "Invalid message received"),
    ],
)
def test_4400_bad_messages(client: TestClient, message: str, reason: str) -> None:
    with _connect(client) as ws:
        ws.send_text(message)
        assert _closed_with(ws) == (CloseCode.BAD_REQUEST, reason)


@pytest.mark.parametrize(
    "subscribe",
    [
        {"type": "subscribe", "payload": {"query": "count:1"}},
        {"type": "subscribe", "id": "", "payload": {"query": "count:1"}},
        {"type": "subscribe", "id": "1", "payload": {"query": 5}},
        {"type": "subscribe", "id": "1", "payload": {"query": "q", "variables": [1]}},
        {"type": "complete"},
    ],
)
def test_4400_malformed_operations(client: TestClient, subscribe: dict[str, Any]) -> None:
    with _connect(client) as ws:
        _init(ws)
        ws.send_json(subscribe)
        assert _closed_with(ws) == (CloseCode.BAD_REQUEST, "Invalid message received")


def test_4400_binary_frame(client: TestClient) -> None:
    with _connect(client) as ws:
        ws.send_bytes(b'{"type": "connection_init"}')
        assert _closed_with(ws) == (CloseCode.BAD_REQUEST, "Invalid message received")


def test_4500_when_the_auth_hook_fails(client: TestClient) -> None:
    with _connect(client) as ws:
        ws.send_json({"type": "connection_init", "payload": {"token": "boom"}})
        assert _closed_with(ws) == (CloseCode.INTERNAL_SERVER_ERROR, "Internal server error")


def test_4406_wrong_subprotocol(client: TestClient) -> None:
    with _connect(client, "graphql-ws") as ws:
        assert _closed_with(ws) == (
            CloseCode.SUBPROTOCOL_NOT_ACCEPTABLE,
            "Subprotocol not acceptable",
        )


def _wait_for(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)

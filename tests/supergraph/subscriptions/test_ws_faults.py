"""Live subscriptions over real sockets when things go wrong: a gateway restart, and a
client that stops reading.

(b) Restart: the socket closes with 1012 (Service Restart, which `graphql-ws` clients
    retry); the client reconnects to the new instance and subscribes again; events after
    that arrive, events published in the gap are not replayed (clients re-query).
(3) A client that never reads fills the server's buffers; once a send waits longer than
    `send_timeout` its connection closes with 1013 and a reason, while another client on
    the same feed keeps receiving promptly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from subscription_doubles import ReadModelResolver, api_schema, serve
from websockets.asyncio.client import ClientConnection, connect
from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close, Frame, Opcode
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from eventbus.envelope import Envelope
from eventbus.transports.inprocess import InProcessTransport
from supergraph.subscriptions import (
    PROTOCOL,
    GraphQLTransportWS,
    SupergraphSubscriptions,
    live_subscriptions,
)

STATUS = """subscription Status($id: ID!) {
  orderStatusChanged(orderId: $id) { id status }
}"""


def _paid(order: str, version: int) -> Envelope:
    return Envelope(
        type="pos.ordering.OrderPaid.v1",
        source="ordering",
        subject=order,
        data={},
        stream_version=version,
    )


def _subscribe(op_id: str, order: str) -> str:
    payload = {"query": STATUS, "variables": {"id": order}}
    return orjson.dumps({"id": op_id, "type": "subscribe", "payload": payload}).decode()


def _live(
    supergraph_sdl: str, transport: InProcessTransport, resolver: ReadModelResolver
) -> SupergraphSubscriptions:
    return live_subscriptions(supergraph_sdl, api_schema(supergraph_sdl), transport, resolver)


@contextlib.asynccontextmanager
async def _gateway(
    live: SupergraphSubscriptions, *, send_timeout: float = 10.0, close_timeout: float = 10.0
) -> AsyncIterator[tuple[str, SupergraphSubscriptions]]:
    """One gateway instance: its feed runs for the app's lifespan, as in production."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await live.feed.start()
        try:
            yield
        finally:
            await live.feed.stop()

    app = Starlette(
        routes=[
            WebSocketRoute(
                "/graphql",
                GraphQLTransportWS(live, send_timeout=send_timeout, close_timeout=close_timeout),
            )
        ],
        lifespan=lifespan,
    )
    async with serve(app, lifespan="on") as base:
        yield base.replace("http://", "ws://") + "/graphql", live


async def _open(url: str) -> ClientConnection:
    ws = await connect(url, subprotocols=[Subprotocol(PROTOCOL)])
    await ws.send('{"type":"connection_init"}')
    assert orjson.loads(await ws.recv()) == {"type": "connection_ack"}
    return ws


async def _until(condition: Any, what: str, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def _next(ws: ClientConnection, timeout: float = 5.0) -> dict[str, Any]:
    message = orjson.loads(await asyncio.wait_for(ws.recv(), timeout))
    assert message["type"] == "next", message
    result: dict[str, Any] = message["payload"]["data"]["orderStatusChanged"]
    return result


async def test_a_gateway_restart_closes_with_1012_and_a_resubscription_gets_new_events(
    supergraph_sdl: str,
) -> None:
    transport, resolver = InProcessTransport(), ReadModelResolver()
    resolver.rows[("Order", "o-1")] = {"id": "o-1", "status": "PAID", "version": 1}

    async with _gateway(_live(supergraph_sdl, transport, resolver)) as (url, first):
        ws = await _open(url)
        await ws.send(_subscribe("s1", "o-1"))
        await _until(lambda: first.feed.subscriber_count == 1, "subscribed")
        await transport.publish("pos.ordering", [_paid("o-1", 1)])
        assert await _next(ws) == {"id": "o-1", "status": "PAID"}
    # the instance stopped (a deploy): the socket is closed with 1012 Service Restart
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012

    # while no instance runs, the order moves on: nobody is told
    resolver.rows[("Order", "o-1")] = {"id": "o-1", "status": "SHIPPED", "version": 2}
    await transport.publish("pos.ordering", [_paid("o-1", 2)])

    async with _gateway(_live(supergraph_sdl, transport, resolver)) as (url, second):
        ws = await _open(url)
        await ws.send(_subscribe("s1", "o-1"))
        await _until(lambda: second.feed.subscriber_count == 1, "resubscribed")
        with pytest.raises(TimeoutError):  # the gap's event is not replayed: re-query
            await asyncio.wait_for(ws.recv(), 0.3)
        resolver.rows[("Order", "o-1")] = {"id": "o-1", "status": "DELIVERED", "version": 3}
        await transport.publish("pos.ordering", [_paid("o-1", 3)])
        assert await _next(ws) == {"id": "o-1", "status": "DELIVERED"}
        await ws.close()


class _StalledClient:
    """A graphql-transport-ws client on a raw socket with a tiny receive buffer, which
    subscribes and then reads nothing until told to."""

    def __init__(self, url: str) -> None:
        uri = parse_uri(url)
        self.protocol = ClientProtocol(uri, subprotocols=[Subprotocol(PROTOCOL)])
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect((uri.host, uri.port))
        self.sock.settimeout(10)
        self.protocol.send_request(self.protocol.connect())
        self._flush()
        self._read_until(lambda: self.protocol.handshake_exc is not None or self._accepted())
        self.protocol.send_text(b'{"type":"connection_init"}')
        self._flush()
        ack = self._read_until(lambda: bool(self._texts))
        assert orjson.loads(ack[0]) == {"type": "connection_ack"}

    _texts: list[bytes]

    def _accepted(self) -> bool:
        from websockets.protocol import State

        return self.protocol.state is State.OPEN

    def _flush(self) -> None:
        self.sock.sendall(b"".join(self.protocol.data_to_send()))

    def subscribe(self, op_id: str, order: str) -> None:
        self.protocol.send_text(_subscribe(op_id, order).encode())
        self._flush()

    def _read_until(self, done: Any) -> list[bytes]:
        self._texts = []
        while not done():
            data = self.sock.recv(65536)
            self.protocol.receive_data(data)
            for event in self.protocol.events_received():
                if isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                    self._texts.append(bytes(event.data))
            self._flush()
            if not data:
                break
        return self._texts

    def read_to_close(self) -> Close:
        """Read everything the server buffered; returns the close frame that ends it."""
        self._read_until(lambda: self.protocol.close_rcvd is not None)
        assert self.protocol.close_rcvd is not None, "the server ended without a close frame"
        return self.protocol.close_rcvd


async def test_a_client_that_stops_reading_is_closed_and_others_keep_receiving(
    supergraph_sdl: str, caplog: pytest.LogCaptureFixture
) -> None:
    transport, resolver = InProcessTransport(), ReadModelResolver()
    big = "x" * 500_000  # each push for this order is ~500 KB
    resolver.rows[("Order", "big")] = {"id": "big", "status": big, "version": 10_000}
    resolver.rows[("Order", "o-2")] = {"id": "o-2", "status": "PAID", "version": 10_000}
    live = _live(supergraph_sdl, transport, resolver)
    caplog.set_level(logging.WARNING, logger="supergraph.subscriptions.ws")

    async with _gateway(live, send_timeout=1.0, close_timeout=30.0) as (url, _):
        stalled = await asyncio.to_thread(_StalledClient, url)
        await asyncio.to_thread(stalled.subscribe, "slow", "big")
        reader = await _open(url)
        await reader.send(_subscribe("fast", "o-2"))
        await _until(lambda: live.feed.subscriber_count == 2, "both subscribed")

        loop = asyncio.get_running_loop()
        version = 0
        for _ in range(20):  # ~30 MB for the stalled client, far beyond any socket buffer
            await transport.publish("pos.ordering", [_paid("big", v) for v in range(3)])
            version += 1
            await transport.publish("pos.ordering", [_paid("o-2", version)])
            sent = loop.time()
            assert await _next(reader, timeout=2) == {"id": "o-2", "status": "PAID"}
            assert loop.time() - sent < 1.0, "the stalled client slowed the other one down"

        await _until(
            lambda: any("read nothing" in r.getMessage() for r in caplog.records),
            "the server gave up on the stalled client",
        )
        await _until(lambda: live.feed.subscriber_count == 1, "its feed subscription freed")
        close = await asyncio.to_thread(stalled.read_to_close)  # it finally reads: the reason
        assert close.code == 1013
        assert "not reading" in close.reason and "re-query" in close.reason

        await transport.publish("pos.ordering", [_paid("o-2", version + 1)])
        assert await _next(reader) == {"id": "o-2", "status": "PAID"}
        await reader.close()
        stalled.sock.close()

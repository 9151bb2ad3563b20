"""Forward a subscription that no event feeds to the subgraph that owns it.

The gateway is a graphql-transport-ws *client* of the subgraph: one WebSocket per
forwarded operation (opened on subscribe, closed on complete), with the client's
`connection_init` payload passed on unless `connection_params` says otherwise. The
forwarded document is the client's: every field it selects must belong to that subgraph.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.typing import Subprotocol

from .source import ExecutionResult, OperationErrors, OperationRequest, operation_error
from .ws import PROTOCOL

ConnectionParams = Callable[[OperationRequest], Mapping[str, Any] | None]


def websocket_url(http_url: str) -> str:
    """The subgraph's WebSocket URL for its HTTP URL (same path, ws/wss scheme)."""
    if http_url.startswith("https://"):
        return "wss://" + http_url[len("https://") :]
    if http_url.startswith("http://"):
        return "ws://" + http_url[len("http://") :]
    return http_url


class SubgraphForwarder:
    """A `SubscriptionSource` that runs every operation on one subgraph's WebSocket."""

    def __init__(
        self,
        url: str,
        *,
        connection_params: ConnectionParams | None = None,
        forward_headers: tuple[str, ...] = (),
        identity_headers: Callable[[], Mapping[str, str]] | None = None,
        open_timeout: float = 5.0,
        ack_timeout: float = 5.0,
    ) -> None:
        self.url = websocket_url(url)
        self.connection_params = connection_params
        self.forward_headers = tuple(h.lower() for h in forward_headers)
        # the gateway's signed identity of the subscriber (called while it opens)
        self.identity_headers = identity_headers
        self.open_timeout = open_timeout
        self.ack_timeout = ack_timeout

    async def open(self, request: OperationRequest) -> AsyncIterator[ExecutionResult]:
        headers = {h: request.headers[h] for h in self.forward_headers if h in request.headers}
        if self.identity_headers is not None:
            headers.update(self.identity_headers())
        try:
            ws = await connect(
                self.url,
                subprotocols=[Subprotocol(PROTOCOL)],
                additional_headers=headers,
                open_timeout=self.open_timeout,
            )
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise operation_error(
                f"the subgraph's subscription endpoint {self.url} is unreachable ({exc}); "
                "try again later",
                "SUBGRAPH_UNAVAILABLE",
            ) from None
        try:
            await self._initialise(ws, request)
            payload: dict[str, Any] = {"query": request.query}
            if request.variables is not None:
                payload["variables"] = dict(request.variables)
            if request.operation_name is not None:
                payload["operationName"] = request.operation_name
            if request.extensions is not None:
                payload["extensions"] = dict(request.extensions)
            await ws.send(
                orjson.dumps({"id": "1", "type": "subscribe", "payload": payload}).decode()
            )
        except BaseException:
            await ws.close()
            raise
        return self._stream(ws)

    async def _initialise(self, ws: ClientConnection, request: OperationRequest) -> None:
        params = (
            self.connection_params(request)
            if self.connection_params is not None
            else request.connection_params
        )
        init: dict[str, Any] = {"type": "connection_init"}
        if params is not None:
            init["payload"] = dict(params)
        await ws.send(orjson.dumps(init).decode())
        try:
            async with asyncio.timeout(self.ack_timeout):
                while True:
                    message = orjson.loads(await ws.recv())
                    if message.get("type") == "connection_ack":
                        return
                    if message.get("type") == "ping":
                        await ws.send('{"type":"pong"}')
        except TimeoutError:
            raise operation_error(
                f"the subgraph at {self.url} did not acknowledge the connection",
                "SUBGRAPH_UNAVAILABLE",
            ) from None
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else 1006
            reason = exc.rcvd.reason if exc.rcvd else ""
            refused = "FORBIDDEN" if code in (4401, 4403) else "SUBGRAPH_UNAVAILABLE"
            raise operation_error(
                f"the subgraph refused the connection ({code} {reason})".strip(), refused
            ) from None

    async def _stream(self, ws: ClientConnection) -> AsyncIterator[ExecutionResult]:
        completed = False
        try:
            async for raw in ws:
                message = orjson.loads(raw)
                kind = message.get("type")
                if kind == "next" and message.get("id") == "1":
                    yield message.get("payload") or {}
                elif kind == "error" and message.get("id") == "1":
                    completed = True
                    raise OperationErrors(list(message.get("payload") or []))
                elif kind == "complete" and message.get("id") == "1":
                    completed = True
                    return
                elif kind == "ping":
                    await ws.send('{"type":"pong"}')
        except ConnectionClosed as exc:
            completed = True
            if exc.rcvd is not None and exc.rcvd.code == 1000:
                return
            code = exc.rcvd.code if exc.rcvd else 1006
            raise operation_error(
                f"the subgraph closed the subscription ({code}); subscribe again",
                "SUBGRAPH_UNAVAILABLE",
            ) from None
        finally:
            with contextlib.suppress(Exception):
                if not completed:
                    await ws.send('{"id":"1","type":"complete"}')
                await ws.close()

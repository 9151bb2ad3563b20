"""GraphQL over WebSocket, the `graphql-transport-ws` protocol (as the graphql-ws library).

A Starlette/ASGI WebSocket app driving a `SubscriptionSource`. Close codes follow the
library: 4400 bad message, 4401 subscribe before the acknowledgement, 4403 refused by
`on_connect`, 4406 wrong subprotocol, 4408 no `connection_init` in time, 4409 duplicate
operation id, 4429 a second `connection_init`, 4500 an internal error. Beyond the library:
1013 (Try Again Later, which `graphql-ws` clients retry) for a client that stopped
reading, so one stuck socket holds neither memory nor a feed subscription for long.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from .source import ExecutionResult, OperationErrors, OperationRequest, SubscriptionSource

log = logging.getLogger(__name__)

PROTOCOL = "graphql-transport-ws"

OnConnectResult = bool | dict[str, Any] | None
OnConnect = Callable[[dict[str, Any] | None], OnConnectResult | Awaitable[OnConnectResult]]
"""Auth hook: given the `connection_init` payload; False refuses (4403), a dict is sent
back as the `connection_ack` payload, True/None just acknowledges."""


class CloseCode:
    BAD_REQUEST = 4400
    UNAUTHORIZED = 4401
    FORBIDDEN = 4403
    SUBPROTOCOL_NOT_ACCEPTABLE = 4406
    CONNECTION_INITIALISATION_TIMEOUT = 4408
    SUBSCRIBER_ALREADY_EXISTS = 4409
    TOO_MANY_INITIALISATION_REQUESTS = 4429
    INTERNAL_SERVER_ERROR = 4500
    CLIENT_NOT_READING = 1013


class _BadMessage(Exception):
    pass


class GraphQLTransportWS:
    """The ASGI app for a WebSocket route: ``WebSocketRoute("/graphql", GraphQLTransportWS(src))``.

    `init_timeout` is how long a client may take to send `connection_init` (seconds).
    `send_timeout`: what we send is buffered by the server up to its socket buffers and
    the transport's high-water mark; once that is full a send waits for the client to
    read. A send that waits longer than this closes the connection with 1013 (the
    client fell behind). `close_timeout` bounds the wait for that close frame to go out.
    """

    def __init__(
        self,
        source: SubscriptionSource,
        *,
        on_connect: OnConnect | None = None,
        init_timeout: float = 3.0,
        send_timeout: float = 10.0,
        close_timeout: float = 10.0,
    ) -> None:
        self.source = source
        self.on_connect = on_connect
        self.init_timeout = init_timeout
        self.send_timeout = send_timeout
        self.close_timeout = close_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _Connection(self, WebSocket(scope, receive, send)).run()


class _Connection:
    def __init__(self, app: GraphQLTransportWS, websocket: WebSocket) -> None:
        self.app = app
        self.ws = websocket
        self.headers = {k.lower(): v for k, v in websocket.headers.items()}
        self.init_received = False
        self.acknowledged = False
        self.connection_params: dict[str, Any] | None = None
        self.closed = False
        self.operations: dict[str, asyncio.Task[None]] = {}
        self._send_lock = asyncio.Lock()
        self._closing: asyncio.Task[None] | None = None

    async def run(self) -> None:
        if PROTOCOL not in self.ws.scope.get("subprotocols", []):
            await self.ws.accept()
            await self.close(CloseCode.SUBPROTOCOL_NOT_ACCEPTABLE, "Subprotocol not acceptable")
            return
        await self.ws.accept(subprotocol=PROTOCOL)
        timer = asyncio.create_task(self._init_timeout())
        try:
            while not self.closed:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                try:
                    await self._handle(message)
                except _BadMessage as exc:
                    await self.close(CloseCode.BAD_REQUEST, str(exc))
        except WebSocketDisconnect:
            pass
        except Exception:
            log.exception("graphql-transport-ws connection failed")
            await self.close(CloseCode.INTERNAL_SERVER_ERROR, "Internal server error")
        finally:
            timer.cancel()
            self.closed = True
            tasks = list(self.operations.values())
            self.operations.clear()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(BaseException):
                    await task
            if self._closing is not None:  # bounded by close_timeout; quick on disconnect
                with contextlib.suppress(Exception):
                    await self._closing

    async def _init_timeout(self) -> None:
        await asyncio.sleep(self.app.init_timeout)
        if not self.acknowledged:
            await self.close(
                CloseCode.CONNECTION_INITIALISATION_TIMEOUT, "Connection initialisation timeout"
            )

    async def close(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        await self._send_close(code, reason)

    async def _send_close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(code, reason[:120]), self.app.close_timeout)

    async def send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            if self.closed:
                return
            try:
                await asyncio.wait_for(
                    self.ws.send_text(orjson.dumps(message).decode()), self.app.send_timeout
                )
                return
            except TimeoutError:
                pass  # the client stopped reading: close below, outside the lock
            except Exception:
                return
        await self._close_stalled()

    async def _close_stalled(self) -> None:
        """End every operation (freeing its feed subscription) and close with a reason.

        The close frame queues behind what the client has not read, so it goes out from
        a task of its own (for up to `close_timeout`) while the operations end now.
        """
        if self.closed:
            return
        self.closed = True
        log.warning(
            "closing a graphql-transport-ws client that read nothing for %.1f s",
            self.app.send_timeout,
        )
        current = asyncio.current_task()
        for task in list(self.operations.values()):
            if task is not current:
                task.cancel()
        self._closing = asyncio.create_task(
            self._send_close(
                CloseCode.CLIENT_NOT_READING,
                "Client is not reading: outgoing buffer full; reconnect and re-query",
            )
        )

    async def _handle(self, raw: Mapping[str, Any]) -> None:
        text = raw.get("text")
        if text is None:
            raise _BadMessage("Invalid message received")
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise _BadMessage("Invalid message received") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise _BadMessage("Invalid message received")
        kind = message["type"]
        if kind == "connection_init":
            await self._connection_init(message)
        elif kind == "ping":
            pong: dict[str, Any] = {"type": "pong"}
            if message.get("payload") is not None:
                pong["payload"] = message["payload"]
            await self.send(pong)
        elif kind == "pong":
            return
        elif kind == "subscribe":
            await self._subscribe(message)
        elif kind == "complete":
            op_id = message.get("id")
            if not isinstance(op_id, str) or not op_id:
                raise _BadMessage("Invalid message received")
            task = self.operations.pop(op_id, None)
            if task is not None:
                task.cancel()
        else:
            raise _BadMessage(f"Unexpected message of type {kind} received")

    async def _connection_init(self, message: dict[str, Any]) -> None:
        if self.init_received:
            await self.close(
                CloseCode.TOO_MANY_INITIALISATION_REQUESTS, "Too many initialisation requests"
            )
            return
        self.init_received = True
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            raise _BadMessage("Invalid message received")
        self.connection_params = payload
        # Browsers cannot set headers on a WebSocket: graphql-ws clients send their
        # credentials as `connectionParams: {Authorization: "Bearer ..."}`. They count as
        # the connection's Authorization header (the upgrade's own header wins), so every
        # operation on it (queries and mutations too) is authenticated like over HTTP.
        credential = next(
            (
                v
                for k, v in (payload or {}).items()
                if isinstance(k, str) and k.lower() == "authorization" and isinstance(v, str)
            ),
            None,
        )
        if credential is not None and "authorization" not in self.headers:
            self.headers = {**self.headers, "authorization": credential}
        verdict: OnConnectResult = True
        if self.app.on_connect is not None:
            outcome = self.app.on_connect(payload)
            verdict = await outcome if inspect.isawaitable(outcome) else outcome
        if verdict is False:
            await self.close(CloseCode.FORBIDDEN, "Forbidden")
            return
        ack: dict[str, Any] = {"type": "connection_ack"}
        if isinstance(verdict, dict):
            ack["payload"] = verdict
        await self.send(ack)
        self.acknowledged = True

    async def _subscribe(self, message: dict[str, Any]) -> None:
        if not self.acknowledged:
            await self.close(CloseCode.UNAUTHORIZED, "Unauthorized")
            return
        op_id = message.get("id")
        payload = message.get("payload")
        if not isinstance(op_id, str) or not op_id or not isinstance(payload, dict):
            raise _BadMessage("Invalid message received")
        query = payload.get("query")
        variables = payload.get("variables")
        operation_name = payload.get("operationName")
        extensions = payload.get("extensions")
        if (
            not isinstance(query, str)
            or not (variables is None or isinstance(variables, dict))
            or not (operation_name is None or isinstance(operation_name, str))
            or not (extensions is None or isinstance(extensions, dict))
        ):
            raise _BadMessage("Invalid message received")
        if op_id in self.operations:
            await self.close(
                CloseCode.SUBSCRIBER_ALREADY_EXISTS, f"Subscriber for {op_id} already exists"
            )
            return
        request = OperationRequest(
            query=query,
            variables=variables,
            operation_name=operation_name,
            extensions=extensions,
            connection_params=self.connection_params,
            headers=self.headers,
            peer=self.ws.client.host if self.ws.client else None,
        )
        self.operations[op_id] = asyncio.create_task(self._operate(op_id, request))

    async def _operate(self, op_id: str, request: OperationRequest) -> None:
        stream: AsyncIterator[ExecutionResult] | None = None
        try:
            stream = await self.app.source.open(request)
            async for result in stream:
                await self.send({"id": op_id, "type": "next", "payload": result})
                if self.closed:
                    return  # the finally below closes the stream (and its subscription)
            if self.operations.get(op_id) is asyncio.current_task():
                await self.send({"id": op_id, "type": "complete"})
        except OperationErrors as exc:
            if self.operations.get(op_id) is asyncio.current_task():
                await self.send({"id": op_id, "type": "error", "payload": exc.errors})
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("subscription %s failed", op_id)
            error = {
                "message": "Internal server error",
                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            }
            if self.operations.get(op_id) is asyncio.current_task():
                await self.send({"id": op_id, "type": "error", "payload": [error]})
        finally:
            if self.operations.get(op_id) is asyncio.current_task():
                del self.operations[op_id]
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()

"""GraphiQL runs a subscription over graphql-transport-ws and shows each streamed value.

The WebSocket endpoint is a minimal test-only graphql-transport-ws server whose values the
test releases one at a time, so each value is seen in the result pane before the next one
is sent (the pane shows the latest event).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from graphql import build_schema, graphql
from playwright.async_api import expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from supergraph.graphiql import MOUNT_PATH, STATIC_DIR, graphiql_html
from tests.browser.conftest import BrowserPage
from tests.browser.graphiql_page import (
    EXECUTE,
    RESPONSE,
    open_graphiql,
    response_text,
    run,
    set_query,
)
from tests.browser.served_app import serve

PROTOCOL = "graphql-transport-ws"
STOP = re.compile(r"^Stop query")
EXECUTE_LABEL = re.compile(r"^Execute query")
SCHEMA = build_schema("type Query { ok: Boolean } type Subscription { tick: Int! }")


@dataclass
class TickServer:
    """The test side of the WebSocket: what the page sent, and the values to stream
    (`None` ends the subscription with `complete`)."""

    values: asyncio.Queue[int | None] = field(default_factory=asyncio.Queue)
    received: list[dict[str, Any]] = field(default_factory=list)
    subprotocols: list[str] = field(default_factory=list)
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)

    async def endpoint(self, socket: WebSocket) -> None:
        self.subprotocols = list(socket.scope.get("subprotocols", []))
        if PROTOCOL not in self.subprotocols:
            await socket.close(code=4406)  # the protocol's "subprotocol not acceptable"
            return
        await socket.accept(subprotocol=PROTOCOL)
        try:
            while True:
                message = await socket.receive_json()
                self.received.append(message)
                kind = message.get("type")
                if kind == "connection_init":
                    await socket.send_json({"type": "connection_ack"})
                elif kind == "ping":
                    await socket.send_json({"type": "pong"})
                elif kind == "subscribe":
                    self.subscribed.set()
                    await self._stream(socket, message["id"])
        except WebSocketDisconnect:
            return

    async def _stream(self, socket: WebSocket, operation_id: str) -> None:
        async for value in self._values():
            payload = {"data": {"tick": value}}
            await socket.send_json({"id": operation_id, "type": "next", "payload": payload})
        await socket.send_json({"id": operation_id, "type": "complete"})

    async def _values(self) -> AsyncIterator[int]:
        while (value := await self.values.get()) is not None:
            yield value


def tick_app(ticks: TickServer) -> Starlette:
    """GraphiQL pointed at `/graphql` (HTTP, for introspection) and `/subscriptions` (WS)."""

    async def page(_request: Request) -> Response:
        return HTMLResponse(graphiql_html("/graphql", "/subscriptions"))

    async def execute(request: Request) -> Response:
        body = await request.json()
        result = await graphql(
            SCHEMA, body["query"], variable_values=body.get("variables"), root_value={}
        )
        return JSONResponse(result.formatted)

    return Starlette(
        routes=[
            Route("/graphql", page, methods=["GET"]),
            Route("/graphql", execute, methods=["POST"]),
            WebSocketRoute("/subscriptions", ticks.endpoint),
            Mount(MOUNT_PATH, StaticFiles(directory=str(STATIC_DIR))),
        ]
    )


async def test_graphiql_shows_each_subscription_event(browser_page: BrowserPage) -> None:
    page = browser_page.page
    ticks = TickServer()
    async with serve(tick_app(ticks), lifespan="off") as served:
        await open_graphiql(page, served.url("/graphql"))
        await set_query(page, "subscription Ticks {\n  tick\n}", "Ticks")
        await run(page)
        async with asyncio.timeout(10):
            await ticks.subscribed.wait()

        response = page.locator(RESPONSE)
        for value in (1, 2, 3):
            await ticks.values.put(value)
            await expect(response).to_contain_text(f'"tick": {value}')
        # While the subscription is open the run button is a stop button; `complete`
        # from the server ends it and the button can run the operation again.
        await expect(page.locator(EXECUTE)).to_have_attribute("aria-label", STOP)
        await ticks.values.put(None)
        await expect(page.locator(EXECUTE)).to_have_attribute("aria-label", EXECUTE_LABEL)
        assert await response_text(page) == '{ "data": { "tick": 3 } }'
        await browser_page.screenshot("graphiql-subscription-ticks")
        await browser_page.close()

    assert ticks.subprotocols == [PROTOCOL]
    kinds = [message["type"] for message in ticks.received]
    assert kinds[:2] == ["connection_init", "subscribe"]
    assert "tick" in ticks.received[1]["payload"]["query"]
    assert f"ws://127.0.0.1:{served.port}/subscriptions" in browser_page.requested
    assert browser_page.blocked == []
    assert browser_page.left_loopback() == []

"""The reference client libraries against our subscription endpoints: `graphql-ws` over
WebSocket (graphql-transport-ws) and `graphql-sse` over SSE (distinct connections mode).

Our other tests speak both protocols with our own Python code; here the libraries
front ends use read what we send. The live subscriptions run as the gateway mounts them
(`live_subscriptions` + `subscription_routes`), fed by the in-process bus, resolving
from a read-model double; `ticks` is forwarded to a clock subgraph that completes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from subscription_doubles import ReadModelResolver, api_schema, serve

from eventbus.envelope import Envelope
from eventbus.transports.inprocess import InProcessTransport
from supergraph.subscriptions import (
    Freshness,
    GraphQLTransportWS,
    OperationRequest,
    SupergraphSubscriptions,
    live_subscriptions,
    subscription_routes,
)

CLIENTS = Path(__file__).resolve().parents[3] / "tools" / "clients"
STATUS = """subscription Status($id: ID!) {
  changed: orderStatusChanged(orderId: $id) { id status number }
}"""
INVALID = "subscription { orderStatusChanged(orderId: 1) { nope } }"
TICKS = "subscription Ticks($count: Int!) { ticks(count: $count) }"


def _order_event(type_: str, order: str, version: int) -> Envelope:
    return Envelope(
        type=f"pos.ordering.{type_}.v1",
        source="ordering",
        subject=order,
        data={},
        stream_version=version,
    )


class ClockSource:
    """The clock subgraph: `ticks(count)` streams 0..count-1, then completes."""

    async def open(self, request: OperationRequest) -> AsyncIterator[dict[str, Any]]:
        count = int((request.variables or {}).get("count", 2))

        async def stream() -> AsyncIterator[dict[str, Any]]:
            for i in range(count):
                yield {"data": {"ticks": i}}

        return stream()


@dataclass
class Endpoints:
    ws: str
    sse: str
    live: SupergraphSubscriptions
    transport: InProcessTransport
    resolver: ReadModelResolver

    async def subscribed(self, count: int) -> None:
        async with asyncio.timeout(5):
            while self.live.feed.subscriber_count != count:
                await asyncio.sleep(0.01)

    async def publish(self, order: str, status: str, version: int) -> None:
        """The projection has caught up with the event, then the event is on the bus."""
        self.resolver.rows[("Order", order)] = {
            "id": order,
            "number": f"N-{order}",
            "status": status,
            "version": version,
        }
        await self.transport.publish(
            "pos.ordering", [_order_event(f"Order{status.title()}", order, version)]
        )


@pytest.fixture
async def endpoints(supergraph_sdl: str) -> AsyncIterator[Endpoints]:
    clock = Starlette(routes=[WebSocketRoute("/graphql", GraphQLTransportWS(ClockSource()))])
    transport, resolver = InProcessTransport(), ReadModelResolver()
    async with serve(clock) as clock_base:
        live = live_subscriptions(
            supergraph_sdl,
            api_schema(supergraph_sdl),
            transport,
            resolver,
            subgraph_urls={"http://clock.invalid/graphql": f"{clock_base}/graphql"},
            freshness=Freshness(timeout=1.0, first_delay=0.01, max_delay=0.05),
        )
        await live.feed.start()
        app = Starlette(routes=subscription_routes(live, path="/graphql", keepalive=0.5))
        try:
            async with serve(app) as base:
                yield Endpoints(
                    ws=base.replace("http://", "ws://") + "/graphql",
                    sse=f"{base}/graphql/stream",
                    live=live,
                    transport=transport,
                    resolver=resolver,
                )
        finally:
            await live.feed.stop()


class NodeClient:
    """A tools/clients script subscribing once; each line it prints is one JSON event."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.seen: list[dict[str, Any]] = []

    @classmethod
    async def start(
        cls, script: str, url: str, query: str, variables: dict[str, Any], stop_after: int = 0
    ) -> NodeClient:
        if not (CLIENTS / "node_modules" / "graphql-ws").is_dir():
            raise RuntimeError("tools/clients/node_modules is missing: run scripts/setup")
        proc = await asyncio.create_subprocess_exec(
            "node",
            script,
            url,
            query,
            orjson.dumps(variables).decode(),
            str(stop_after),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=str(CLIENTS),
        )
        return cls(proc)

    async def until(
        self, event: str, count: int = 1, timeout: float = 5.0, *, require: bool = True
    ) -> list[dict[str, Any]]:
        """All events so far, read until the `count`th `event` (or `timeout`)."""
        assert self.proc.stdout is not None

        def seen() -> int:
            return sum(e["event"] == event for e in self.seen)

        try:
            async with asyncio.timeout(timeout):
                while seen() < count:
                    line = await self.proc.stdout.readline()
                    if not line:
                        break
                    self.seen.append(orjson.loads(line))
        except TimeoutError:
            pass
        assert seen() >= count or not require, (
            f"the client never reported {event!r} x{count}: {self.seen}"
        )
        return self.seen

    async def exits(self) -> None:
        async with asyncio.timeout(5):
            _, err = await self.proc.communicate()
        assert self.proc.returncode == 0, err.decode()

    def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()


@pytest.fixture
async def clients() -> AsyncIterator[list[NodeClient]]:
    started: list[NodeClient] = []
    yield started
    for client in started:
        client.stop()
        await client.proc.wait()


def _url(endpoints: Endpoints, script: str) -> str:
    return endpoints.ws if script.startswith("ws_") else endpoints.sse


LIBRARIES = pytest.mark.parametrize("script", ["ws_subscribe.mjs", "sse_subscribe.mjs"])


@LIBRARIES
async def test_events_arrive_in_order_until_the_client_unsubscribes(
    endpoints: Endpoints, clients: list[NodeClient], script: str
) -> None:
    client = await NodeClient.start(
        script, _url(endpoints, script), STATUS, {"id": "o-1"}, stop_after=3
    )
    clients.append(client)
    await endpoints.subscribed(1)
    await endpoints.publish("o-2", "CONFIRMED", 1)  # another order: filtered out
    for version, status in enumerate(["CONFIRMED", "PAID", "SHIPPED"], start=1):
        await endpoints.publish("o-1", status, version)
        await client.until("next", count=version)  # the row is replaced only once pushed
    events = await client.until("done")
    payloads = [e["payload"] for e in events if e["event"] == "next"]
    assert payloads == [
        {"data": {"changed": {"id": "o-1", "status": s, "number": "N-o-1"}}}
        for s in ("CONFIRMED", "PAID", "SHIPPED")
    ]
    assert "error" not in [e["event"] for e in events]
    assert "unsubscribed" in [e["event"] for e in events]
    await endpoints.subscribed(0)  # the client's own unsubscribe freed the server side
    await client.exits()


@LIBRARIES
async def test_server_completion_reaches_the_complete_callback(
    endpoints: Endpoints, clients: list[NodeClient], script: str
) -> None:
    client = await NodeClient.start(script, _url(endpoints, script), TICKS, {"count": 3})
    clients.append(client)
    events = await client.until("complete")
    assert [e["payload"] for e in events if e["event"] == "next"] == [
        {"data": {"ticks": i}} for i in range(3)
    ]
    assert "error" not in [e["event"] for e in events]
    await client.until("done")
    await client.exits()


async def test_graphql_ws_reports_a_validation_error_through_its_error_callback(
    endpoints: Endpoints, clients: list[NodeClient]
) -> None:
    client = await NodeClient.start("ws_subscribe.mjs", endpoints.ws, INVALID, {})
    clients.append(client)
    events = await client.until("error")
    [error] = events[-1]["error"]["graphQLErrors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "nope" in error["message"]
    assert [e["event"] for e in events] == ["connected", "error"]
    await client.until("done")
    await client.exits()
    assert endpoints.live.feed.subscriber_count == 0


async def test_graphql_sse_gets_a_validation_error_as_a_result_without_retrying(
    endpoints: Endpoints, clients: list[NodeClient]
) -> None:
    """The GraphQL over SSE protocol (distinct connections mode): validation errors MUST come
    as a `next` event on an accepted stream; a 400 is a network error the client retries
    (5 times by default, backing off) and whose GraphQL errors it never reads."""
    client = await NodeClient.start("sse_subscribe.mjs", endpoints.sse, INVALID, {})
    clients.append(client)
    events = await client.until("complete", timeout=5, require=False)
    assert not any(e.get("retrying") for e in events), (
        "graphql-sse retried the subscription: the server answered the validation error "
        f"with a non-200 response instead of a `next` event on the stream; it printed {events}"
    )
    assert [e["event"] for e in events] == ["connecting", "next", "complete"], events
    [error] = events[1]["payload"]["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "nope" in error["message"]
    await client.until("done")
    await client.exits()

"""A Subscription field without `@eventSource` is forwarded to its subgraph over
graphql-transport-ws, through the same gateway endpoint."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator

import strawberry
from live_shop import WSClient, serve
from strawberry import federation
from strawberry.asgi import GraphQL

from eventbus.transports import InProcessTransport
from supergraph.composition import compose
from supergraph.composition.subgraph import Subgraph
from supergraph.runtime import create_app


@strawberry.type
class Query:
    @strawberry.field
    def now(self) -> str:
        return "12:00"


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def ticks(self, count: int) -> AsyncGenerator[int, None]:
        for tick in range(1, count + 1):
            yield tick


SCHEMA = federation.Schema(query=Query, subscription=Subscription, federation_version="2.5")


@contextlib.asynccontextmanager
async def clock_gateway() -> AsyncIterator[str]:
    """A gateway (with its event feed on the in-process bus) over the clock subgraph."""
    sdl = SCHEMA.execute_sync("{ _service { sdl } }").data["_service"]["sdl"]  # type: ignore[index]
    subgraph, subgraph_task, subgraph_port = await serve(GraphQL(SCHEMA), lifespan="off")
    composed = compose([Subgraph("clock", f"http://127.0.0.1:{subgraph_port}/graphql", sdl)])
    assert composed.ok and composed.supergraph_sdl, composed.errors
    transport = InProcessTransport()
    await transport.start()
    app = create_app(composed.supergraph_sdl, event_transport=transport)
    gateway, gateway_task, port = await serve(app)
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        for server in (gateway, subgraph):
            server.should_exit = True
        await gateway_task
        await subgraph_task
        await transport.stop()


async def test_a_subgraph_subscription_is_forwarded_and_queries_work_on_the_socket() -> None:
    async with clock_gateway() as url, WSClient.open(url) as client:
        op = await client.subscribe("subscription { ticks(count: 3) }", {})
        ticks = [(await client.next(op))["data"]["ticks"] for _ in range(3)]
        done = await client.queues[op].get()
        query = await client.subscribe("{ now }", {})
        answer = await client.next(query)
    assert ticks == [1, 2, 3]
    assert done["type"] == "complete"
    assert answer == {"data": {"now": "12:00"}}

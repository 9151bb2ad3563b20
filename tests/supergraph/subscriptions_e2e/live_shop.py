"""A POS shop with live gateways: every context on one store and bus, gateways serving
subscriptions on loopback ports, and graphql-transport-ws / SSE clients to drive them.

Two paths, as `pos run` (embedded: SQLite + in-process bus, subgraphs mounted in the
gateway's process) and `pos gateway` on services (PostgreSQL + real Kafka, each subgraph
on a loopback port, every gateway instance consuming with a group of its own).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from uuid import uuid4

import httpx
import orjson
import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from eventbus import Consumer, Message, Transport
from pos.commands.run import staff_authenticator
from subgraphs import CONTEXTS
from subgraphs.staff import STAFF
from supergraph.composition import compose
from supergraph.composition.subgraph import Subgraph
from supergraph.runtime import create_app
from supergraph.subscriptions import EventFeed, Freshness
from tests.gateway_identity import TEST_SIGNER
from tests.staff_tokens import bearer
from tests.subgraphs.saga.stack import PrefixedTransport, Stack, open_stack
from tests.subgraphs.saga.world import PLACE, World, build_world

ORDER_FIELDS = """id status total { amount currency }
  customer { id name }
  lines { quantity product { id name unitPrice { amount } } }
  rejectionReasons { productId reason }"""
STATUS_CHANGED = (
    "subscription($id: ID!) { orderStatusChanged(orderId: $id) { " + ORDER_FIELDS + " } }"
)
ORDER_UPDATES = (
    "subscription($customer: ID) { orderUpdates(customerId: $customer) { " + ORDER_FIELDS + " } }"
)


class _UnprefixedConsumer(Consumer):
    """Hands the feed messages under the topic names it asked for (the stack's Kafka
    topics are prefixed per test run)."""

    def __init__(self, inner: Consumer, prefix: str) -> None:
        self.inner = inner
        self.prefix = prefix + "."

    async def start(self) -> None:
        await self.inner.start()

    async def stop(self) -> None:
        await self.inner.stop()

    async def poll(self, timeout: float = 1.0, max_records: int = 500) -> list[Message]:
        return [
            dataclasses.replace(m, topic=m.topic.removeprefix(self.prefix))
            for m in await self.inner.poll(timeout=timeout, max_records=max_records)
        ]

    async def wait_assigned(self, timeout: float = 30.0) -> None:
        await self.inner.wait_assigned(timeout)

    async def commit(self, messages: Sequence[Message]) -> None:
        await self.inner.commit(
            [dataclasses.replace(m, topic=self.prefix + m.topic) for m in messages]
        )

    async def lag(self) -> int:
        return await self.inner.lag()


class _FeedTransport(PrefixedTransport):
    def consumer(
        self, group: str, topics: Sequence[str], *, from_beginning: bool = True
    ) -> Consumer:
        return _UnprefixedConsumer(
            super().consumer(group, topics, from_beginning=from_beginning), self.prefix
        )


async def serve(
    app: Any, *, lifespan: Literal["on", "off"] = "on"
) -> tuple[uvicorn.Server, asyncio.Task[None], int]:
    """Serve `app` on a free loopback port (startup done); returns server, task, port."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan=lifespan,
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.02)
    port: int = server.servers[0].sockets[0].getsockname()[1]
    return server, task, port


@dataclass
class LiveGateway:
    app: Starlette
    port: int

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def feed(self) -> EventFeed:
        feed: EventFeed = self.app.state.subscriptions.feed
        return feed


@dataclass
class LiveShop:
    mode: str
    stack: Stack
    world: World
    gateways: list[LiveGateway] = field(default_factory=list)

    async def place(self, customer: str, *lines: tuple[str, int]) -> str:
        order_id = str(uuid4())
        await self.stack.data(
            "ordering",
            PLACE,
            {
                "input": {
                    "id": order_id,
                    "customerId": customer,
                    "lines": [{"productId": p, "quantity": q} for p, q in lines],
                }
            },
        )
        return order_id

    async def register(self, name: str) -> str:
        data = await self.stack.data(
            "customers",
            "mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { id } }",
            {
                "input": {
                    "name": name,
                    "email": f"{uuid4().hex[:10]}@shop.example",
                    "phone": "+49 30 1234567",
                    "address": {
                        "line1": "Quay 1",
                        "city": "Hamburg",
                        "postalCode": "20095",
                        "country": "DE",
                    },
                }
            },
        )
        customer: str = data["registerCustomer"]["id"]
        return customer


@contextlib.asynccontextmanager
async def open_live_shop(
    mode: str, tmp_path: Path, *, gateways: int = 2
) -> AsyncIterator[LiveShop]:
    """The whole POS on `mode` with `gateways` gateway instances serving subscriptions."""
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []
    async with open_stack(list(CONTEXTS.values()), mode=mode, tmp_path=tmp_path) as stack:
        try:
            world = await build_world(stack)
            transports: dict[str, httpx.AsyncBaseTransport] = {}
            subgraphs: list[Subgraph] = []
            for name, context in CONTEXTS.items():
                app = context.graphql_app(stack.views[name])
                if mode == "embedded":
                    url = f"http://{name}.embedded/graphql"
                    transports[url] = httpx.ASGITransport(app=app)
                else:
                    server, task, port = await serve(app, lifespan="off")
                    servers.append((server, task))
                    url = f"http://127.0.0.1:{port}/graphql"
                subgraphs.append(Subgraph(name, url, context.sdl()))
            composed = compose(subgraphs)
            assert composed.ok and composed.supergraph_sdl, composed.errors
            events: Transport = stack.transport
            if isinstance(events, PrefixedTransport):
                events = _FeedTransport(events.inner, events.prefix)
            shop = LiveShop(mode, stack, world)
            apps = [
                create_app(
                    composed.supergraph_sdl,
                    transports=transports,
                    event_transport=events,
                    freshness=Freshness(timeout=10.0),
                    subgraph_identity=TEST_SIGNER,
                    authenticator=staff_authenticator(STAFF.identity),
                )
                for _ in range(gateways)
            ]
            # Start the gateways at once: on Kafka each joins its own consumer group.
            started = await asyncio.gather(*(serve(app) for app in apps))
            for app, (server, task, port) in zip(apps, started, strict=True):
                servers.append((server, task))
                shop.gateways.append(LiveGateway(app, port))
            yield shop
        finally:
            for server, _ in servers:
                server.should_exit = True
            for _, task in servers:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(task, 10)


def admin_headers() -> dict[str, str]:
    """An admin's bearer token, trusted by the gateways `open_live_shop` starts."""
    return bearer(STAFF.identity)


class WSClient:
    """A graphql-transport-ws client: one connection, many operations by id."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.queues: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())
        self.pongs = 0

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, url: str, params: dict[str, str] | None = None) -> AsyncIterator[WSClient]:
        """Connect as `params` says (an admin's `Authorization` by default, in the
        `connection_init` payload as browsers send it)."""
        payload = admin_headers() if params is None else params
        async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as connection:
            init = {"type": "connection_init", "payload": payload}
            await connection.send(orjson.dumps(init).decode())
            ack = orjson.loads(await asyncio.wait_for(connection.recv(), 10))
            assert ack["type"] == "connection_ack", ack
            client = cls(connection)
            try:
                yield client
            finally:
                client._reader.cancel()

    async def _read(self) -> None:
        async for raw in self.connection:
            message = orjson.loads(raw)
            if message["type"] == "pong":
                self.pongs += 1
            elif message["type"] == "ping":
                await self.connection.send(orjson.dumps({"type": "pong"}).decode())
            else:
                self.queues.setdefault(message["id"], asyncio.Queue()).put_nowait(message)

    async def subscribe(self, query: str, variables: dict[str, Any]) -> str:
        op_id = uuid4().hex[:8]
        self.queues[op_id] = asyncio.Queue()
        payload = {"query": query, "variables": variables}
        await self.connection.send(
            orjson.dumps({"id": op_id, "type": "subscribe", "payload": payload}).decode()
        )
        return op_id

    async def next(self, op_id: str, timeout: float = 20.0) -> dict[str, Any]:
        """The next `next` payload of the operation (fails on error/complete)."""
        message = await asyncio.wait_for(self.queues[op_id].get(), timeout)
        assert message["type"] == "next", message
        payload: dict[str, Any] = message["payload"]
        return payload

    async def complete(self, op_id: str) -> None:
        await self.connection.send(orjson.dumps({"id": op_id, "type": "complete"}).decode())

    async def round_trip(self) -> None:
        """A ping answered: everything the server sent before the pong has been read."""
        before = self.pongs
        await self.connection.send(orjson.dumps({"type": "ping"}).decode())
        async with asyncio.timeout(10):
            while self.pongs == before:
                await asyncio.sleep(0.01)


def assert_never_stale(
    pushed: Sequence[str], expected: Sequence[str], *, then: Sequence[str] = ()
) -> None:
    """One push per event, in event order, none showing an older state than its event.

    A push carries the entity as it is when the gateway resolves it (never older than the
    event: docs/subscriptions.md). When the saga moves an order on before the gateway has
    resolved the previous event, that push already shows the newer status. So push i shows
    the status of event i or of a later one (`then` lists states past the last expected
    event), positions never go back, and the last push shows the last expected state or later.
    """
    allowed = [*expected, *then]
    assert len(pushed) == len(expected), (pushed, expected)
    positions = [allowed.index(status) for status in pushed]
    assert all(p >= i for i, p in enumerate(positions)), (pushed, expected)
    assert positions == sorted(positions), (pushed, expected)
    assert positions[-1] >= len(expected) - 1, (pushed, expected)


async def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)

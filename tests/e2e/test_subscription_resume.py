"""Subscriptions that resume, on real services (docs/subscriptions.md, "Resuming").

A manager's dashboard follows `saleCompleted(storeId:)` over SSE. Its connection drops;
while it is away the till completes five sales and the gateway restarts (a new process
state: a new feed in a new consumer group, knowing nothing of the old one). The browser's
EventSource reconnects with ``Last-Event-ID`` (the last push's ``id:``, its resume
cursor) and gets exactly those five sales, in order, then the next live one, and no
repeat. graphql-transport-ws does the same with ``extensions.resumeFrom``.

Subgraphs are uvicorn servers on loopback over PostgreSQL, Kafka (a private topic prefix)
and FerretDB; the gateway is served by uvicorn too, with its Kafka feed running. The
same holds for `pos run` (embedded: SQLite, in-process bus) across its own restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from eventbus import Consumer, Message, Transport
from pos.commands.run import SUPERGRAPH, build_embedded_app, staff_authenticator
from subgraphs import CONTEXTS
from subgraphs.hosting.app import create_subgraph_app
from subgraphs.staff import STAFF
from supergraph.runtime import create_app
from supergraph.subscriptions import Freshness
from supergraph.subscriptions.cursor import ResumeCursor
from tests.e2e.stacks import Stack as GatewayStack
from tests.e2e.test_read_your_writes import Till, open_a_till, sell_one
from tests.e2e.test_shop_day import Day
from tests.gateway_identity import TEST_SIGNER
from tests.staff_tokens import bearer
from tests.subgraphs.hosting.harness import PrefixedTransport
from tests.subgraphs.saga.stack import Stack, open_stack

pytestmark = pytest.mark.services

SALES = "subscription($s: ID) { saleCompleted(storeId: $s) { id total { amount } } }"


class _Unprefixed(Consumer):
    """The gateway feed's view of the run's private topics, under their usual names."""

    def __init__(self, inner: Consumer, prefix: str) -> None:
        self.inner, self.prefix = inner, prefix + "."

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
        inner = super().consumer(group, topics, from_beginning=from_beginning)
        return _Unprefixed(inner, self.prefix)


async def _serve(app: Any, lifespan: str) -> tuple[uvicorn.Server, asyncio.Task[None], int]:
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan=lifespan,  # type: ignore[arg-type]
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


@dataclasses.dataclass
class Shop:
    stack: Stack
    urls: dict[str, str]
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]]

    @contextlib.asynccontextmanager
    async def gateway(self) -> AsyncIterator[int]:
        """A gateway process-state of its own (app, feed, consumer group); its port."""
        events: Transport = self.stack.transport
        assert isinstance(events, PrefixedTransport)
        app = create_app(
            SUPERGRAPH.read_text(),
            subgraph_urls=self.urls,
            event_transport=_FeedTransport(events.inner, events.prefix),
            freshness=Freshness(timeout=10.0),
            subgraph_identity=TEST_SIGNER,
            authenticator=staff_authenticator(STAFF.identity),
        )
        server, task, port = await _serve(app, "on")
        try:
            yield port
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, 20)


@contextlib.asynccontextmanager
async def open_shop(tmp_path: Path) -> AsyncIterator[Shop]:
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []
    async with open_stack(list(CONTEXTS.values()), mode="services", tmp_path=tmp_path) as stack:
        try:
            urls: dict[str, str] = {}
            for name, context in CONTEXTS.items():
                view = stack.views[name]
                app = create_subgraph_app(
                    name, context.graphql_app(view), view, manage_services=False
                )
                if name == "staff":
                    app.router.routes.append(STAFF.jwks_route())
                server, task, port = await _serve(app, "off")
                servers.append((server, task))
                urls[name] = f"http://127.0.0.1:{port}/graphql"
            yield Shop(stack, urls, servers)
        finally:
            for server, _ in servers:
                server.should_exit = True
            await asyncio.gather(*(task for _, task in servers), return_exceptions=True)


class SSE:
    """One GraphQL-over-SSE subscription: pushes as (id, payload), read in the background."""

    def __init__(self) -> None:
        self.pushes: asyncio.Queue[tuple[str | None, dict[str, Any]]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def _read(self, port: int, variables: dict[str, Any], headers: dict[str, str]) -> None:
        async with (
            httpx.AsyncClient(timeout=None) as client,
            client.stream(
                "POST",
                f"http://127.0.0.1:{port}/graphql/stream",
                json={"query": SALES, "variables": variables},
                headers={"accept": "text/event-stream", **bearer(STAFF.identity), **headers},
            ) as response,
        ):
            assert response.status_code == 200, await response.aread()
            event: dict[str, str] = {}
            async for line in response.aiter_lines():
                if line == "":
                    if event.get("event") == "next":
                        ident = event.get("id")
                        payload = orjson.loads(event["data"])
                        self.pushes.put_nowait((ident or None, payload))
                    event = {}
                elif not line.startswith(":"):
                    name, _, value = line.partition(":")
                    event[name] = value.removeprefix(" ")

    def open(self, port: int, variables: dict[str, Any], headers: dict[str, str]) -> None:
        self.task = asyncio.create_task(self._read(port, variables, headers))

    async def close(self) -> None:
        assert self.task is not None
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task

    async def next(self, timeout: float = 20.0) -> tuple[str | None, dict[str, Any]]:
        return await asyncio.wait_for(self.pushes.get(), timeout)


def sale_of(push: dict[str, Any]) -> str:
    assert not push.get("errors"), push
    sale_id: str = push["data"]["saleCompleted"]["id"]
    return sale_id


async def completed(day: Day, till: Till) -> str:
    done = await sell_one(day, till)
    sale_id: str = done["data"]["completeSale"]["sale"]["id"]
    return sale_id


async def test_a_subscriber_away_for_five_sales_and_a_restart_gets_exactly_those_then_live(
    tmp_path: Path,
) -> None:
    async with open_shop(tmp_path) as shop:
        first = contextlib.AsyncExitStack()
        port = await first.enter_async_context(shop.gateway())
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=30, headers=bearer(STAFF.identity)
        ) as client:
            day = Day(GatewayStack(client, shop.stack.store))
            till = await open_a_till(day)

            dashboard = SSE()
            dashboard.open(port, {"s": till.store}, {})
            await asyncio.sleep(1.0)  # subscribed (no push is sent before the first event)
            seen_sale = await completed(day, till)
            last_id, push = await dashboard.next()
            assert sale_of(push) == seen_sale
            assert last_id is not None and push["extensions"]["cursor"] == last_id
            seen_at = push["extensions"]["position"]
            assert ResumeCursor.parse(last_id).covers(seen_at)
            await dashboard.close()  # the connection drops

            missed = [await completed(day, till), await completed(day, till)]
        await first.aclose()  # the gateway stops while the client is away ...
        async with (
            shop.gateway() as port,  # ... and a fresh one starts
            httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=30, headers=bearer(STAFF.identity)
            ) as client,
        ):
            day = Day(GatewayStack(client, shop.stack.store))
            missed += [await completed(day, till) for _ in range(3)]

            # the browser's EventSource reconnects with the last id it saw
            back = SSE()
            back.open(port, {"s": till.store}, {"last-event-id": last_id})
            replayed = [await back.next() for _ in range(5)]
            assert [sale_of(p) for _, p in replayed] == missed
            positions = [p["extensions"]["position"] for _, p in replayed]
            assert positions == sorted(positions) and len(set(positions)) == 5
            assert positions[0] > seen_at
            # each push's cursor covers every position pushed so far (here and before)
            for count, (cursor, _) in enumerate(replayed, 1):
                assert cursor is not None
                assert all(ResumeCursor.parse(cursor).covers(p) for p in positions[:count])

            live = await completed(day, till)
            live_id, push = await back.next()
            assert sale_of(push) == live
            assert live_id is not None and push["extensions"]["position"] > positions[-1]
            with pytest.raises(TimeoutError):  # nothing twice
                await back.next(timeout=2.0)
            await back.close()

            # graphql-transport-ws: the same cursor in the subscribe payload
            pushed = await _ws_resume(port, till.store, last_id)
            # an older client resuming from the plain position of its last push
            assert await _ws_resume(port, till.store, seen_at) == [*missed, live]
            assert pushed == [*missed, live]


async def _ws_resume(port: int, store: str, after: str | int) -> list[str]:
    async with connect(
        f"ws://127.0.0.1:{port}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
    ) as ws:
        await ws.send(
            orjson.dumps({"type": "connection_init", "payload": bearer(STAFF.identity)}).decode()
        )
        ack = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        payload = {"query": SALES, "variables": {"s": store}, "extensions": {"resumeFrom": after}}
        await ws.send(orjson.dumps({"id": "1", "type": "subscribe", "payload": payload}).decode())
        pushed = []
        for _ in range(6):
            message = orjson.loads(await asyncio.wait_for(ws.recv(), 20))
            assert message["type"] == "next", message
            pushed.append(sale_of(message["payload"]))
        return pushed


@contextlib.asynccontextmanager
async def embedded(data_dir: Path) -> AsyncIterator[tuple[int, Day]]:
    """`pos run`'s app (SQLite, in-process bus, subgraphs in process) on a loopback port."""
    app = build_embedded_app(data_dir, seed=False)
    server, task, port = await _serve(app, "on")
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=30, headers=bearer(STAFF.identity)
        ) as client:
            yield port, Day(GatewayStack(client, app.state.services.store))
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


async def test_pos_run_resumes_across_its_own_restart(tmp_path: Path) -> None:
    """The embedded default: the subgraphs are in process (their /events reached through
    the gateway's ASGI transport) and the bus forgets on exit; the store does not."""
    async with embedded(tmp_path) as (port, day):
        till = await open_a_till(day)
        dashboard = SSE()
        dashboard.open(port, {"s": till.store}, {})
        await asyncio.sleep(0.5)
        seen = await completed(day, till)
        last_id, push = await dashboard.next()
        assert sale_of(push) == seen and last_id is not None
        await dashboard.close()
        missed = [await completed(day, till) for _ in range(2)]
    async with embedded(tmp_path) as (port, day):
        missed.append(await completed(day, till))
        back = SSE()
        back.open(port, {"s": till.store}, {"last-event-id": last_id})
        assert [sale_of((await back.next())[1]) for _ in range(3)] == missed
        live = await completed(day, till)
        assert sale_of((await back.next())[1]) == live
        with pytest.raises(TimeoutError):
            await back.next(timeout=1.5)
        await back.close()

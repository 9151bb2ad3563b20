"""The two ways POS runs, each with a client on its gateway.

- `embedded_stack`: exactly what `pos run` serves (`build_embedded_app`: SQLite, in-process
  bus, SecantusDB), driven in process through its lifespan.
- `services_stack`: every subgraph behind its own uvicorn server on a free loopback port,
  on PostgreSQL (a database made for the session), Kafka (a private topic prefix) and
  FerretDB (databases made for this run, dropped afterwards), with the relay and every
  projection runner and saga reactor running; the gateway calls them over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import uvicorn
from pymongo import AsyncMongoClient

from eventbus.ports import EventStore
from eventbus.relay import Relay
from eventbus.sqlstore import SqlEventStore
from pos.commands.run import SUPERGRAPH, build_embedded_app, staff_authenticator
from subgraphs import CONTEXTS
from subgraphs.hosting.app import create_subgraph_app
from subgraphs.hosting.running import start_context, stop_context
from subgraphs.hosting.services import ContextServices
from subgraphs.staff import STAFF
from supergraph.runtime import create_app
from tests.gateway_identity import TEST_SIGNER, TEST_VERIFIER
from tests.staff_tokens import bearer
from tests.subgraphs.hosting.harness import KAFKA, MONGO_URL, PrefixedTransport


@dataclass
class Stack:
    gateway: httpx.AsyncClient
    store: EventStore
    subgraph_urls: dict[str, str] | None = None
    """Where each subgraph listens (services mode; embedded ones are in-process only)."""

    async def count_events(self) -> int:
        return len(await self.store.read_all(0, 1_000_000))


@contextlib.asynccontextmanager
async def embedded_stack(data_dir: Path) -> AsyncIterator[Stack]:
    app = build_embedded_app(data_dir, seed=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://pos.test",
            timeout=30,
            headers=bearer(STAFF.identity),  # an ADMIN: every operation is allowed
        ) as client,
    ):
        yield Stack(client, app.state.services.store)


async def _serve(app: Any) -> tuple[uvicorn.Server, asyncio.Task[None], int]:
    """Serve `app` on a free loopback port; returns the server, its task and the port."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.02)
    port: int = server.servers[0].sockets[0].getsockname()[1]
    return server, task, port


@contextlib.asynccontextmanager
async def services_stack(pg_url: str) -> AsyncIterator[Stack]:
    from eventbus.transports.kafka import KafkaTransport

    run = uuid4().hex[:10]
    store = SqlEventStore(pg_url)
    transport = PrefixedTransport(KafkaTransport(KAFKA, client_id="e2e-tests"), f"e2e{run}")
    relay = Relay(store.outbox, transport, poll_interval=0.02)
    services = ContextServices(
        store=store,
        transport=transport,
        mongo_url=MONGO_URL,
        database=f"e2e_{run}_all",
        relay=relay,
        database_prefix=f"e2e_{run}",
        gateway_identity=TEST_VERIFIER,
    )
    await services.start()
    views: list[ContextServices] = []
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []
    gateway_app = None
    try:
        urls: dict[str, str] = {}
        for name, context in CONTEXTS.items():
            view = services.for_context(name)
            await start_context(context, view)
            views.append(view)
            app = create_subgraph_app(name, context.graphql_app(view), view, manage_services=False)
            if name == "staff":  # as `pos serve staff`: its public keys for the gateway
                app.router.routes.append(STAFF.jwks_route())
            server, task, port = await _serve(app)
            servers.append((server, task))
            urls[name] = f"http://127.0.0.1:{port}/graphql"
        gateway_app = create_app(
            SUPERGRAPH.read_text(),
            subgraph_urls=urls,
            subgraph_identity=TEST_SIGNER,
            profile="development",  # compared with the reference: errors as they are
            authenticator=staff_authenticator(STAFF.identity),
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway_app),
            base_url="http://pos.test",
            timeout=30,
            headers=bearer(STAFF.identity),
        ) as client:
            yield Stack(client, store, urls)
    finally:
        if gateway_app is not None:
            await gateway_app.state.gateway.aclose()
        for server, _ in servers:
            server.should_exit = True
        await asyncio.gather(*(task for _, task in servers), return_exceptions=True)
        for view in reversed(views):
            await stop_context(view)
        await services.stop()
        mongo: AsyncMongoClient[Any] = AsyncMongoClient(MONGO_URL)
        for view in views:
            await mongo.drop_database(view.database)
        await mongo.close()

"""A running set of contexts for the H7 tests: store, bus, relay, read stores, runners.

`open_stack(...)` builds what a host builds (`subgraphs.hosting`), on either path:

- ``embedded``: SQLite event store + `InProcessTransport`, relay as a task;
- ``services``: PostgreSQL (a database created for the test session) + real Kafka.

Read models live in MongoDB-wire databases named for this stack only (FerretDB at
POS_MONGO_URL), dropped at the end. On Kafka, topics are prefixed per stack so runs never
read each other's events from the shared development broker.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar
from uuid import uuid4

import httpx
from pymongo import AsyncMongoClient

from eventbus import EventStore, Transport
from eventbus.projection import ProjectionRunner
from eventbus.relay import Relay
from eventbus.sqlstore import SqlEventStore
from eventbus.transports import InProcessTransport
from subgraphs.hosting.context import ContextModule
from subgraphs.hosting.services import ContextServices
from tests.gateway_identity import TEST_VERIFIER, identity_client
from tests.subgraphs.hosting.harness import (
    KAFKA,
    MONGO_URL,
    PrefixedTransport,
    RunningContexts,
    create_pg_database,
    drop_pg_database,
)


@dataclass
class Stack(RunningContexts):
    store: EventStore
    transport: Transport
    relay: Relay
    services: ContextServices
    views: dict[str, ContextServices] = field(default_factory=dict)
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    contexts: dict[str, ContextModule] = field(default_factory=dict)

    require_http_ok: ClassVar[bool] = False
    """Error answers are the tests' subject here: they read the body whatever the status."""
    settle_timeout: ClassVar[float] = 20.0


@asynccontextmanager
async def open_stack(
    contexts: Sequence[ContextModule],
    *,
    mode: str = "embedded",
    tmp_path: Path,
    run_reactors: bool = True,
) -> AsyncIterator[Stack]:
    """Start `contexts` on one store and bus, each with its own read database."""
    prefix = f"h7{uuid4().hex[:8]}"
    pg_url: str | None = None
    if mode == "embedded":
        store = SqlEventStore(f"sqlite+aiosqlite:///{tmp_path / f'{prefix}.db'}")
        transport: Transport = InProcessTransport()
    elif mode == "services":
        from eventbus.transports.kafka import KafkaTransport

        pg_url = await create_pg_database("pos_h7")
        store = SqlEventStore(pg_url)
        transport = PrefixedTransport(KafkaTransport(KAFKA, client_id=prefix), prefix)
    else:
        raise ValueError(mode)
    relay = Relay(store.outbox, transport, poll_interval=0.05)
    services = ContextServices(
        store=store,
        transport=transport,
        mongo_url=MONGO_URL,
        database=f"{prefix}_all",
        database_prefix=prefix,
        relay=relay,
        gateway_identity=TEST_VERIFIER,
    )
    await services.start()
    stack = Stack(store=store, transport=transport, relay=relay, services=services)
    try:
        for context in contexts:
            view = services.for_context(context.name)
            await view.open_read_store(list(context.documents()))
            stack.views[context.name] = view
            stack.contexts[context.name] = context
        runners: list[ProjectionRunner] = []
        for context in contexts:
            view = stack.views[context.name]
            consumers = [*context.projections(view)]
            if run_reactors:
                consumers += context.reactors(view)
            mine = [ProjectionRunner(view.transport, consumer) for consumer in consumers]
            view.runners.extend(mine)
            runners += mine
            stack.clients[context.name] = identity_client(
                context.graphql_app(view), base_url="http://test"
            )
        # Join every consumer group at once: on Kafka each join takes a few seconds.
        await asyncio.gather(*(runner.start() for runner in runners))
        yield stack
    finally:
        for client in stack.clients.values():
            await client.aclose()
        for view in stack.views.values():
            await view.stop_runners()
        mongo: AsyncMongoClient = AsyncMongoClient(MONGO_URL)
        for view in stack.views.values():
            await view.stop()
            await mongo.drop_database(view.database)
        await mongo.close()
        await services.stop()
        if pg_url is not None:
            await drop_pg_database(pg_url)

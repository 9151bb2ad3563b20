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
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from pymongo import AsyncMongoClient

from eventbus import Consumer, Envelope, EventStore, Transport
from eventbus.projection import Projection, ProjectionRunner
from eventbus.relay import Relay
from eventbus.sqlstore import SqlEventStore
from eventbus.transports import InProcessTransport
from subgraphs.hosting.context import ContextModule
from subgraphs.hosting.services import ContextServices

MONGO_URL = os.environ.get("POS_MONGO_URL", "mongodb://127.0.0.1:27017")
KAFKA = os.environ.get("POS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")


class PrefixedTransport(Transport):
    """Publishes and consumes `<prefix>.<topic>`: a private namespace on a shared broker."""

    def __init__(self, inner: Transport, prefix: str) -> None:
        self.inner = inner
        self.prefix = prefix

    def _t(self, topic: str) -> str:
        return f"{self.prefix}.{topic}"

    async def start(self) -> None:
        await self.inner.start()

    async def stop(self) -> None:
        await self.inner.stop()

    async def publish(self, topic: str, envelopes: Sequence[Envelope]) -> None:
        await self.inner.publish(self._t(topic), envelopes)

    async def publish_raw(
        self, topic: str, key: str | None, body: bytes, headers: Sequence[tuple[str, bytes]] = ()
    ) -> None:
        await self.inner.publish_raw(
            topic if topic.startswith(self.prefix) else self._t(topic), key, body, headers
        )

    def consumer(
        self, group: str, topics: Sequence[str], *, from_beginning: bool = True
    ) -> Consumer:
        return self.inner.consumer(
            f"{self.prefix}.{group}", [self._t(t) for t in topics], from_beginning=from_beginning
        )


@dataclass
class Stack:
    store: EventStore
    transport: Transport
    relay: Relay
    services: ContextServices
    views: dict[str, ContextServices] = field(default_factory=dict)
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    contexts: dict[str, ContextModule] = field(default_factory=dict)

    @property
    def runners(self) -> list[ProjectionRunner]:
        return [r for view in self.views.values() for r in view.runners]

    async def gql(
        self, context: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """POST to the context's /graphql; returns the whole JSON body."""
        response = await self.clients[context].post(
            "/graphql", json={"query": query, "variables": variables or {}}
        )
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, context: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Like `gql`, but fails the test on any error."""
        body = await self.gql(context, query, variables)
        assert not body.get("errors"), body.get("errors")
        result: dict[str, Any] = body["data"]
        return result

    async def settle(self, timeout: float = 20.0) -> None:
        """Wait until the outbox is drained and every runner has caught up (twice in a row:
        a reactor's reply produces new events)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        quiet = 0
        while quiet < 2:
            self.relay.wake()
            pending = await self.store.outbox.count_pending()  # type: ignore[attr-defined]
            lags = await asyncio.gather(*(r.lag() for r in self.runners))
            quiet = quiet + 1 if pending == 0 and not any(lags) else 0
            if loop.time() > deadline:
                raise AssertionError(f"not settled: outbox {pending}, lags {lags}")
            await asyncio.sleep(0.05 if quiet else 0.1)

    def projection(self, context: str, name: str) -> Projection:
        for runner in self.views[context].runners:
            if runner.projection.name == name:
                return runner.projection
        raise LookupError(name)


async def pg_database(admin_url: str) -> str:
    """Create a fresh PostgreSQL database for a stack; returns its URL."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    name = f"pos_h7_{uuid4().hex[:10]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    await admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def drop_pg_database(admin_url: str, url: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    name = make_url(url).database
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.dispose()


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
    pg_admin = os.environ.get("POS_PG_URL", "postgresql+asyncpg://pos:pos@127.0.0.1:5432/pos")
    pg_url: str | None = None
    if mode == "embedded":
        store = SqlEventStore(f"sqlite+aiosqlite:///{tmp_path / f'{prefix}.db'}")
        transport: Transport = InProcessTransport()
    elif mode == "services":
        from eventbus.transports.kafka import KafkaTransport

        pg_url = await pg_database(pg_admin)
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
            stack.clients[context.name] = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=context.graphql_app(view)),
                base_url="http://test",
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
            await drop_pg_database(pg_admin, pg_url)

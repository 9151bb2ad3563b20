"""Run contexts the way a host does, for the H6 tests (hosting, catalog, inventory).

`running(contexts, backend=...)` starts what `subgraphs.hosting` starts for a real host:

- ``sqlite``: SQLite event store + in-process bus (the embedded mode);
- ``postgresql``: PostgreSQL (a database made for this test session) + the real Kafka.

Read models go to MongoDB-wire databases at POS_MONGO_URL named for this run only and
dropped afterwards. On Kafka every topic and group gets a per-run prefix, so tests never
read other runs' events from the shared development broker. A missing service fails the
test; nothing is skipped.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal
from uuid import uuid4

import httpx
import pytest
from pymongo import AsyncMongoClient
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from eventbus import Consumer, Envelope, Transport
from eventbus.projection import Projection, ProjectionRunner
from eventbus.relay import Relay
from eventbus.sqlstore import SqlEventStore
from eventbus.transports import InProcessTransport
from subgraphs.hosting.app import create_subgraph_app
from subgraphs.hosting.context import ContextModule
from subgraphs.hosting.running import start_context, stop_context
from subgraphs.hosting.services import ContextServices
from tests.gateway_identity import TEST_VERIFIER, identity_client

MONGO_URL = os.environ.get("POS_MONGO_URL", "mongodb://127.0.0.1:27017")
KAFKA = os.environ.get("POS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
PG_URL = os.environ.get("POS_PG_URL", "postgresql+asyncpg://pos:pos@127.0.0.1:5432/pos")

Backend = Literal["sqlite", "postgresql"]


class PrefixedTransport(Transport):
    """Topics and groups under `<prefix>.`: a private namespace on a shared broker."""

    def __init__(self, inner: Transport, prefix: str) -> None:
        self.inner = inner
        self.prefix = prefix

    def _topic(self, topic: str) -> str:
        return topic if topic.startswith(f"{self.prefix}.") else f"{self.prefix}.{topic}"

    async def start(self) -> None:
        await self.inner.start()

    async def stop(self) -> None:
        await self.inner.stop()

    async def publish(self, topic: str, envelopes: Sequence[Envelope]) -> None:
        await self.inner.publish(self._topic(topic), envelopes)

    async def publish_raw(
        self,
        topic: str,
        key: str | None,
        body: bytes,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> None:
        await self.inner.publish_raw(self._topic(topic), key, body, headers)

    def consumer(
        self, group: str, topics: Sequence[str], *, from_beginning: bool = True
    ) -> Consumer:
        return self.inner.consumer(
            f"{self.prefix}.{group}",
            [self._topic(t) for t in topics],
            from_beginning=from_beginning,
        )


async def create_pg_database(prefix: str = "pos_h6") -> str:
    """A fresh PostgreSQL database `<prefix>_<random>` at POS_PG_URL; returns its URL."""
    name = f"{prefix}_{uuid4().hex[:10]}"
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    await admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


async def drop_pg_database(url: str) -> None:
    name = make_url(url).database
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.dispose()


@pytest.fixture(scope="session")
async def h6_pg_url() -> AsyncIterator[str]:
    """One PostgreSQL database for the H6 tests of this session, dropped afterwards.

    Import it into a conftest to use it there."""
    url = await create_pg_database()
    yield url
    await drop_pg_database(url)


class RunningContexts:
    """What a test does with running contexts: call their GraphQL, find and await their
    projections. Mixed into the dataclasses that hold `relay`, `views` and `clients`."""

    relay: Relay
    views: dict[str, ContextServices]
    clients: dict[str, httpx.AsyncClient]
    require_http_ok: ClassVar[bool] = True
    """Fail `gql` on an HTTP status other than 200."""
    settle_timeout: ClassVar[float] = 30.0

    @property
    def runners(self) -> list[ProjectionRunner]:
        return [r for view in self.views.values() for r in view.runners]

    async def gql(
        self, context: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """POST to the context's /graphql; the whole JSON body."""
        response = await self.clients[context].post(
            "/graphql", json={"query": query, "variables": variables or {}}
        )
        if self.require_http_ok:
            assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, context: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Like `gql`, failing the test on any error."""
        body = await self.gql(context, query, variables)
        assert not body.get("errors"), body.get("errors")
        result: dict[str, Any] = body["data"]
        return result

    def projection(self, context: str, name: str) -> Projection:
        for runner in self.views[context].runners:
            if runner.projection.name == name:
                return runner.projection
        raise LookupError(name)

    async def settle(self, timeout: float | None = None) -> None:
        """Until the outbox is empty and no runner lags, twice in a row (reactors reply)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.settle_timeout if timeout is None else timeout)
        quiet = 0
        runners = self.runners
        while quiet < 2:
            self.relay.wake()
            pending = await self.relay.outbox.count_pending()
            lags = await asyncio.gather(*(r.lag() for r in runners))
            quiet = quiet + 1 if pending == 0 and not any(lags) else 0
            if loop.time() > deadline:
                raise AssertionError(f"not settled: outbox {pending}, lags {lags}")
            await asyncio.sleep(0.05)


@dataclass
class Harness(RunningContexts):
    services: ContextServices
    store: SqlEventStore
    relay: Relay
    views: dict[str, ContextServices] = field(default_factory=dict)
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)


@asynccontextmanager
async def running(
    contexts: Sequence[ContextModule],
    *,
    backend: Backend,
    tmp_path: Path,
    pg_url: str | None = None,
) -> AsyncIterator[Harness]:
    """Start `contexts` on `backend`, each behind its own ASGI client."""
    run = uuid4().hex[:10]
    transport: Transport
    if backend == "sqlite":
        store = SqlEventStore(f"sqlite+aiosqlite:///{tmp_path / f'events-{run}.db'}")
        transport = InProcessTransport()
    else:
        from eventbus.transports.kafka import KafkaTransport

        assert pg_url is not None, "the postgresql backend needs the session's pg_url"
        store = SqlEventStore(pg_url)
        transport = PrefixedTransport(KafkaTransport(KAFKA, client_id="h6-tests"), f"h6t{run}")
    relay = Relay(store.outbox, transport, poll_interval=0.02)
    services = ContextServices(
        store=store,
        transport=transport,
        mongo_url=MONGO_URL,
        database=f"h6_{run}_all",
        relay=relay,
        database_prefix=f"h6_{run}",
        gateway_identity=TEST_VERIFIER,
    )
    await services.start()
    harness = Harness(services=services, store=store, relay=relay)
    try:
        for context in contexts:
            view = services.for_context(context.name)
            await start_context(context, view)
            harness.views[context.name] = view
            app = create_subgraph_app(
                context.name, context.graphql_app(view), view, manage_services=False
            )
            harness.clients[context.name] = identity_client(app)
        yield harness
    finally:
        for client in harness.clients.values():
            await client.aclose()
        for view in harness.views.values():
            await stop_context(view)
        await services.stop()
        mongo: AsyncMongoClient[Any] = AsyncMongoClient(MONGO_URL)
        for view in harness.views.values():
            await mongo.drop_database(view.database)
        await mongo.close()

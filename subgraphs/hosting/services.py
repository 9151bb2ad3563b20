"""What a context needs at run time (event store, bus, read store) and its runners.

Two ways to get them (`build_services`):

- ``embedded``: a SQLite file, the in-process bus with the outbox relay as a task, and
  the embedded MongoDB-wire store (SecantusDB child process). One process holds every
  context; each context gets a view (`for_context`) sharing the same infrastructure.
- ``services``: PostgreSQL at POS_PG_URL, Kafka at POS_KAFKA_BOOTSTRAP, MongoDB at
  POS_MONGO_URL. The relay is its own process (``python -m eventbus.relay``) unless
  asked for here: exactly one relay may drain an outbox, or per-stream order is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from beanie import Document
from pymongo import AsyncMongoClient

from eventbus.ports import EventStore, Transport
from eventbus.projection import Projection, ProjectionRunner
from eventbus.readmodel import init_read_store
from eventbus.relay import Relay
from eventbus.sqlstore import SqlEventStore
from eventbus.transports import InProcessTransport
from pos.settings import Settings
from subgraphs.hosting.consistency import mongo_progress
from subgraphs.hosting.identity import IdentityVerifier

log = logging.getLogger(__name__)

Mode = Literal["embedded", "services"]
MODES: tuple[Mode, ...] = ("embedded", "services")


def database_for(context: str, prefix: str = "pos") -> str:
    """The read-store database of a context: one per context, never shared."""
    return f"{prefix}_{context}"


@dataclass
class ContextServices:
    """A context's handles on the store, the bus and its read database.

    The view that built the infrastructure (`owns_infrastructure`) starts and stops it;
    views made with `for_context` only start and stop their own runners and clients.
    """

    store: EventStore
    transport: Transport
    mongo_url: str
    database: str
    relay: Relay | None = None
    database_prefix: str = "pos"
    """Read databases are ``<prefix>_<context>`` (tests use a unique prefix)."""
    replay_on_start: bool = False
    """Catch projections up from the store at start (the in-memory bus forgets on exit)."""
    gateway_identity: IdentityVerifier = field(default_factory=IdentityVerifier.from_env)
    """Verifies the gateway's signed identity on every GraphQL call (`identity`); shared
    by every view. Default: the JWKS at POS_GATEWAY_IDENTITY_JWKS or the gateway's file."""
    owns_infrastructure: bool = True
    closers: list[Callable[[], None]] = field(default_factory=list)
    """Synchronous clean-ups run after everything else stops (embedded store process)."""
    runners: list[ProjectionRunner] = field(default_factory=list)
    clients: list[AsyncMongoClient] = field(default_factory=list)
    _relay_task: asyncio.Task[None] | None = None
    _started: bool = False

    def for_context(self, name: str) -> ContextServices:
        """A view for context `name`: same store, bus and relay; its own read database."""
        return replace(
            self,
            database=database_for(name, self.database_prefix),
            owns_infrastructure=False,
            closers=[],
            runners=[],
            clients=[],
            _relay_task=None,
            _started=False,
        )

    async def start(self) -> None:
        """Create/migrate the store schema, connect the bus, start the relay (if any)."""
        if self._started:
            return
        self._started = True
        if not self.owns_infrastructure:
            return
        await self.store.start()
        await self.transport.start()
        if self.relay is not None:
            self._relay_task = asyncio.create_task(self.relay.run(), name="outbox-relay")

    async def stop(self) -> None:
        """Stop runners, close clients; then, if owned, the relay, bus, store, processes."""
        await self.stop_runners()
        for client in self.clients:
            with contextlib.suppress(Exception):
                await client.close()
        self.clients.clear()
        self._started = False
        if not self.owns_infrastructure:
            return
        if self.relay is not None and self._relay_task is not None:
            self.relay.stop()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._relay_task, 10)
            self._relay_task = None
        await self.transport.stop()
        await self.store.close()
        for close in self.closers:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(close)
        self.closers.clear()

    def wake_relay(self) -> None:
        """Publish now rather than at the relay's next poll (after a command commits)."""
        if self.relay is not None:
            self.relay.wake()

    async def open_read_store(self, documents: Sequence[type[Document]]) -> AsyncMongoClient:
        """Bind `documents` to this context's database; the client closes on `stop`."""
        client = await init_read_store(self.mongo_url, self.database, documents)
        self.clients.append(client)
        return client

    async def start_runners(self, projections: Sequence[Projection]) -> list[ProjectionRunner]:
        """Start one runner (consumer group = projection name) per projection."""
        started: list[ProjectionRunner] = []
        progress = mongo_progress(self.clients, self.database)  # read-your-writes waits
        for projection in projections:
            runner = ProjectionRunner(self.transport, projection, progress=progress)
            await runner.start()
            self.runners.append(runner)
            started.append(runner)
        return started

    async def stop_runners(self) -> None:
        runners, self.runners = self.runners, []
        # Concurrently: each stop waits out its consumer's poll; a failure stops no other.
        await asyncio.gather(*(runner.stop() for runner in runners), return_exceptions=True)


def build_services(
    mode: Mode,
    *,
    context: str = "all",
    data_dir: Path | str | None = None,
    settings: Settings | None = None,
    relay: bool | None = None,
) -> ContextServices:
    """Infrastructure for `mode`, not yet started (call `await services.start()`).

    `relay` defaults to True in embedded mode and False in services mode (where the relay
    runs as its own process). Embedded mode starts the MongoDB-wire store process here.
    """
    settings = settings or Settings.from_env()
    if mode == "embedded":
        from pos.infra.embedded import start_embedded_mongo

        root = Path(data_dir or settings.data_dir / "embedded").resolve()
        root.mkdir(parents=True, exist_ok=True)
        store = SqlEventStore(f"sqlite+aiosqlite:///{root / 'events.db'}")
        mongo_url, stop_mongo = start_embedded_mongo(root / "readstore")
        transport: Transport = InProcessTransport()
        services = ContextServices(
            store=store,
            transport=transport,
            mongo_url=mongo_url,
            database=database_for(context),
            closers=[stop_mongo],
            replay_on_start=True,
        )
        with_relay = True if relay is None else relay
    elif mode == "services":
        from eventbus.transports.kafka import KafkaTransport

        store = SqlEventStore(settings.pg_url)
        services = ContextServices(
            store=store,
            transport=KafkaTransport(settings.kafka_bootstrap, client_id=f"pos-{context}"),
            mongo_url=settings.mongo_url,
            database=database_for(context),
        )
        with_relay = bool(relay)
    else:
        raise ValueError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
    services.gateway_identity = IdentityVerifier(settings.identity_jwks_location)
    if with_relay:
        services.relay = Relay(store.outbox, services.transport, poll_interval=0.05)
    return services

"""Lifespans the `pos gateway` app is wrapped in: supergraph reload on SIGHUP, polling a
supergraph URL, the Kafka feed of event-fed subscriptions.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from eventbus.ports import Transport

DEFAULT_CONFIG = Path("supergraph.toml")
DEFAULT_SUPERGRAPH = Path("schema/supergraph.graphql")
URLS_ENV = "POS_SUBGRAPH_URLS"


def with_reload(inner: Any, supergraph: Path) -> Any:
    """On SIGHUP, serve the supergraph file as it is now (`create_app`'s `reload`): a
    file that does not load is logged and the running supergraph kept."""
    import logging
    import signal

    log = logging.getLogger("pos.gateway")

    def reload(app: Any) -> None:
        try:
            app.state.reload(supergraph.read_text())
        except Exception as e:  # a bad file must never stop a serving gateway
            log.error(
                "supergraph reload from %s failed, still serving the previous: %s", supergraph, e
            )
            return
        log.warning("supergraph reloaded from %s", supergraph)

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, reload, app)
        try:
            async with inner(app):
                yield
        finally:
            loop.remove_signal_handler(signal.SIGHUP)

    return lifespan


def with_poll(inner: Any, url: str, fetched: Any, interval: float) -> Any:
    """Poll the supergraph's URL while serving (supergraph/runtime/server/supergraph_url.py)."""
    from supergraph.runtime.server.supergraph_url import poll

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(poll(url, fetched, app.state.reload, interval))
        try:
            async with inner(app):
                yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan


def with_bus(inner: Any, bus: Transport) -> Any:
    """Stop the Kafka transport after the gateway's event feed. It is not started here: the
    gateway only consumes (the feed connects, and reconnects, by itself), so neither a
    broker that is down nor a supergraph without `@eventSource` keeps it from serving."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        try:
            async with inner(app):
                yield
        finally:
            await bus.stop()

    return lifespan

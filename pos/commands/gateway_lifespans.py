"""Lifespans the `pos gateway` app is wrapped in: supergraph reload on SIGHUP, polling a
supergraph URL, the Kafka feed of event-fed subscriptions.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventbus.ports import Transport

if TYPE_CHECKING:
    from pos.commands.gateway_reload import Reloaded


def with_reload(
    inner: Any, supergraph: Path | None, reconfigure: Callable[[], Reloaded] | None = None
) -> Any:
    """On SIGHUP, serve the supergraph file as it is now (None: a supergraph URL is
    polled instead) and, with `reconfigure` (`--config FILE`), the config file's
    reloadable settings (`gateway_reload.py`): a file that does not load is logged and
    the running gateway kept."""
    import logging
    import signal

    from pos.commands.gateway_reload import apply

    log = logging.getLogger("pos.gateway")

    def reload(app: Any) -> None:
        what = " and ".join(
            name
            for name, used in (("supergraph", supergraph), ("config", reconfigure))
            if used is not None
        )
        try:
            sdl = supergraph.read_text() if supergraph is not None else None
            apply(app, sdl, reconfigure() if reconfigure is not None else None)
        except Exception as e:  # never stop a serving gateway (typer.Exit included)
            detail = getattr(e, "message", None) or str(e) or type(e).__name__
            log.error("%s reload failed, still serving the previous: %s", what, detail)
            return
        log.warning("%s reloaded", what)

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

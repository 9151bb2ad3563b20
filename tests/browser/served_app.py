"""Run an ASGI app with uvicorn on a free 127.0.0.1 port inside the test's event loop.

Browser tests need real sockets: Chromium cannot reach an in-process ASGI transport.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

import uvicorn


@dataclass(frozen=True)
class ServedApp:
    """Where a served app listens: `http://127.0.0.1:<port>`."""

    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


@asynccontextmanager
async def serve(
    app: Any, *, lifespan: Literal["auto", "on", "off"] = "on"
) -> AsyncIterator[ServedApp]:
    """Serve `app` until the block ends; the port is bound before uvicorn starts, so it
    is free and ours (no race with other engineers' servers)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan=lifespan,
        access_log=False,
        ws="websockets-sansio",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()  # raises the start-up failure
                    raise RuntimeError("uvicorn exited before it started")
                await asyncio.sleep(0.01)
        yield ServedApp(port)
    finally:
        server.should_exit = True
        await task
        sock.close()

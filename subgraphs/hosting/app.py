"""The ASGI app of one subgraph: `/graphql`, `/health`, `/ready`, and its lifespan.

`/health` says the process is alive; `/ready` says it can do its job right now: the
event store answers, the bus answers (its runners can reach their consumer group), and
the read store answers. A load balancer sends traffic only to ready instances.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp

from subgraphs.hosting.compression import Compression
from subgraphs.hosting.consistency import ConsistencyGate, mongo_progress
from subgraphs.hosting.context import ContextModule
from subgraphs.hosting.event_log import event_log_route
from subgraphs.hosting.metrics import SubgraphMetrics
from subgraphs.hosting.running import start_context
from subgraphs.hosting.services import ContextServices
from subgraphs.hosting.tracing import Traced

CHECK_TIMEOUT = 2.0


async def _probe(check: Awaitable[Any]) -> str:
    try:
        await asyncio.wait_for(check, CHECK_TIMEOUT)
    except Exception as exc:
        return f"unavailable: {type(exc).__name__}"
    return "ok"


async def readiness(services: ContextServices) -> dict[str, str]:
    """Each dependency's state: ``ok`` or ``unavailable: <why>``."""
    checks: dict[str, str] = {"store": await _probe(services.store.read_all(0, 1))}
    if services.runners:
        results = [await _probe(runner.lag()) for runner in services.runners]
        checks["bus"] = next((r for r in results if r != "ok"), "ok")
    if services.clients:
        checks["readStore"] = await _probe(services.clients[0].admin.command("ping"))
    return checks


def create_subgraph_app(
    name: str,
    graphql_app: ASGIApp,
    services: ContextServices,
    *,
    context: ContextModule | None = None,
    manage_services: bool = True,
) -> Starlette:
    """Serve `graphql_app` at /graphql with health checks.

    The lifespan starts `services` (if `manage_services`) and, given `context`, binds its
    read models and runs its projections and reactors; shutdown stops them in reverse.
    """

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "subgraph": name})

    async def ready(_: Request) -> JSONResponse:
        checks = await readiness(services)
        is_ready = all(state == "ok" for state in checks.values())
        body = {"status": "ready" if is_ready else "unavailable", "subgraph": name, **checks}
        return JSONResponse(body, status_code=200 if is_ready else 503)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if manage_services:
            await services.start()
        try:
            if context is not None:
                await start_context(context, services)
            yield
        finally:
            if manage_services:
                await services.stop()
            else:
                await services.stop_runners()

    gated = ConsistencyGate(  # read-your-writes tokens (docs/consistency.md)
        graphql_app,
        store=services.store,
        verifier=services.gateway_identity,
        projections=lambda: [runner.projection for runner in services.runners],
        progress=lambda: mongo_progress(services.clients, services.database),
    )
    metrics = SubgraphMetrics(name, services)  # GET /metrics; docs/observability.md
    served = Traced(name, metrics.counting(gated))  # a span per request, then counted
    compressed = Compression(served)  # gzip both ways, when a gateway asks (compression.py)
    return Starlette(
        routes=[
            Route("/graphql", compressed, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_app),
            Route("/health", health),
            Route("/ready", ready),
            Route("/metrics", metrics.endpoint, methods=["GET"]),
            # the context's own events after a position, for subscriptions that resume
            event_log_route(name, services.store, services.gateway_identity),
        ],
        lifespan=lifespan,
    )

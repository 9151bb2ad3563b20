"""Several contexts in one process (the embedded mode): one app, one set of services.

Each context is mounted at ``/subgraphs/<name>`` (so its GraphQL endpoint is
``/subgraphs/<name>/graphql``, with its own `/health` and `/ready`), shares the store,
bus and relay of `services`, and keeps its own read database. Mounted apps get no
lifespan from Starlette, so this app's lifespan starts and stops every context.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount

from subgraphs.hosting.app import create_subgraph_app
from subgraphs.hosting.context import ContextModule
from subgraphs.hosting.running import start_context, stop_context
from subgraphs.hosting.services import ContextServices


def subgraph_path(name: str) -> str:
    """Where a context's GraphQL endpoint lives inside the host."""
    return f"/subgraphs/{name}/graphql"


def create_host_app(
    services: ContextServices,
    contexts: Sequence[ContextModule],
    *,
    routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """Mount `contexts` (plus any extra `routes`, e.g. the gateway) on one app."""
    views = {context.name: services.for_context(context.name) for context in contexts}
    mounts: list[BaseRoute] = [
        Mount(
            f"/subgraphs/{context.name}",
            app=create_subgraph_app(
                context.name,
                context.graphql_app(views[context.name]),
                views[context.name],
                manage_services=False,
            ),
        )
        for context in contexts
    ]

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await services.start()
        started: list[ContextServices] = []
        try:
            for context in contexts:
                await start_context(context, views[context.name])
                started.append(views[context.name])
            yield
        finally:
            # Concurrently: each runner's stop waits out its consumer's poll.
            await asyncio.gather(*(stop_context(view) for view in started))
            await services.stop()

    return Starlette(routes=[*mounts, *routes], lifespan=lifespan)

"""Mount the subscription transports on a Starlette app (the gateway's)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx
from graphql import GraphQLSchema
from starlette.routing import BaseRoute, WebSocketRoute

from eventbus.ports import Transport

from .cursor import REORDER_HORIZON_S
from .events import EventFeed
from .forward import SubgraphForwarder
from .freshness import Freshness
from .live import Execute, SupergraphSubscriptions
from .replay import EventReplay
from .resolver import SubscriptionResolver
from .routing import subscription_owners
from .source import SubscriptionSource
from .sources import event_sources
from .sse import GraphQLSSE
from .ws import GraphQLTransportWS, OnConnect


def subscription_routes(
    source: SubscriptionSource,
    *,
    path: str = "/graphql",
    sse_path: str = "/graphql/stream",
    on_connect: OnConnect | None = None,
    init_timeout: float = 3.0,
    keepalive: float = 12.0,
    send_timeout: float = 10.0,
) -> list[BaseRoute]:
    """graphql-transport-ws at `path` (beside the HTTP route: Starlette routes WebSocket
    and HTTP scopes apart) and GraphQL over SSE at `sse_path`. `send_timeout`: see
    `GraphQLTransportWS`."""
    ws = GraphQLTransportWS(
        source, on_connect=on_connect, init_timeout=init_timeout, send_timeout=send_timeout
    )
    return [
        WebSocketRoute(path, ws),
        GraphQLSSE(source, keepalive=keepalive).route(sse_path),
    ]


def live_subscriptions(
    supergraph_sdl: str,
    api_schema: GraphQLSchema,
    transport: Transport,
    resolver: SubscriptionResolver,
    *,
    subgraph_urls: Mapping[str, str] | None = None,
    forward_headers: tuple[str, ...] = (),
    freshness: Freshness | None = None,
    queue_size: int = 256,
    execute: Execute | None = None,
    identity_headers: Callable[[], Mapping[str, str]] | None = None,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    reorder_horizon: float = REORDER_HORIZON_S,
) -> SupergraphSubscriptions:
    """Everything a gateway needs for its Subscription type, from its supergraph SDL.

    `subgraph_urls` overrides a subgraph's URL by its join__graph name's URL (keys are
    the URLs in the SDL). `execute` runs queries and mutations sent over the WebSocket
    (without it they are refused). `identity_headers` are added to each forwarded
    subscription's WebSocket request (the gateway's signed identity). `transports` (subgraph
    URL -> httpx transport, as the gateway's fetcher has them) reach in-process subgraphs
    when a resuming subscription reads their events. `reorder_horizon`: how long after an
    event a lower position may still arrive (cursor.py). Start `result.feed`
    at startup, stop it at shutdown.
    """
    sources = event_sources(supergraph_sdl)
    overrides = dict(subgraph_urls or {})
    owners = subscription_owners(supergraph_sdl)
    # replay.py: a resuming subscription's missed events, from the topic owner's /events
    replay = EventReplay(
        {
            source.topic: overrides.get(owners[name], owners[name])
            for name, source in sorted(sources.items())
            if name in owners
        },
        identity_headers=identity_headers,
        transports=transports,
    )
    forwarders: dict[str, SubscriptionSource] = {
        name: SubgraphForwarder(
            overrides.get(url, url),
            forward_headers=forward_headers,
            identity_headers=identity_headers,
        )
        for name, url in owners.items()
        if name not in sources
    }
    feed = EventFeed(
        transport,
        sorted({s.topic for s in sources.values()}),
        queue_size=queue_size,
        reorder_horizon=reorder_horizon,
    )
    return SupergraphSubscriptions(
        api_schema,
        sources,
        feed,
        resolver,
        forwarders=forwarders,
        freshness=freshness,
        execute=execute,
        replay=replay,
        reorder_horizon=reorder_horizon,
    )

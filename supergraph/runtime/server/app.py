"""GraphQL-over-HTTP for the gateway (Starlette).

POST and GET `/graphql`; the response media type follows the Accept header:
`application/graphql-response+json` (request errors answer 400) or `application/json`
(always 200 for a well-formed request, as the spec asks for legacy clients). GET with an
Accept header that wants HTML serves GraphiQL. `GET /health` is 200 once the supergraph is
loaded and the gateway started, else 503. The bundled GraphiQL page
(`supergraph.graphiql`, when installed) has its assets mounted at its `MOUNT_PATH`
(`/graphiql`).

With `create_app(..., batching=...)` a POSTed JSON array is a batch (`batching.py`): one
response array, in order.

Query plans come back in `extensions.queryPlan` when the request carries the header
`Apollo-Query-Plan-Experimental: 1` or `pos-debug-query-plan: 1`.

Subscriptions (when `create_app` gets an `event_transport`): WebSocket `/graphql` speaks
graphql-transport-ws, and GET/POST `/graphql` with `Accept: text/event-stream` streams
GraphQL over SSE (also at `/graphql/stream`). `@eventSource` fields are fed by the
gateway's own consumer of the event topics; other Subscription fields are forwarded to
their subgraph (see `supergraph.subscriptions`). A subscription POSTed (or GET) with
`Accept: multipart/mixed;subscriptionSpec=1.0` (Apollo Client's HttpLink) streams as
Apollo's multipart HTTP subscriptions.
"""

from __future__ import annotations

import contextlib
import importlib
import random
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, request_response
from starlette.staticfiles import StaticFiles

from eventbus.ports import Transport
from supergraph.subscriptions import (
    ExecutionResult,
    Freshness,
    GraphQLMultipart,
    GraphQLSSE,
    OperationRequest,
    SupergraphSubscriptions,
    live_subscriptions,
    subscription_routes,
)

from ..caching.entity_cache_feed import (
    EntityCacheOptions,
    build_entity_cache,
    reloaded_entity_cache,
)
from ..fetching.subgraph_identity import (
    JWKS_PATH,
    IdentitySigner,
    current_subscriber,
)
from ..gateway import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BYTES, GatewayRequest
from ..planning.override_labels import CustomLabels
from ..planning.plan_cache import DEFAULT_BYTES
from ..plugins.api import Plugin
from ..plugins.authentication import JwtAuthenticator
from ..plugins.authorization import (
    AuthorizationMode,
    ErrorReporting,
    PolicyEvaluator,
)
from ..plugins.builtin import (
    DEFAULT_DEMAND_CONTROL,
    DEFAULT_DOCUMENT_LIMITS,
    DEFAULT_LIMITS,
    Gateway,
)
from ..plugins.demand_control import DemandControl
from ..plugins.document_limits import DocumentLimits
from ..plugins.limits import OperationLimits
from ..plugins.metrics import mount_metrics
from ..plugins.rate_limit import DEFAULT_RATE_LIMITS, RateLimits
from ..plugins.trusted_documents import TrustedDocuments
from ..tracing import ServerSpan
from .batching import Batching
from .body_limit import DEFAULT_MAX_BODY_SIZE
from .cors import DEFAULT_CORS, Cors
from .csrf import DEFAULT_CSRF, CsrfPrevention
from .endpoint import (
    GraphQLEndpoint,
)
from .policies import Policies
from .profile import Profile, ProfileName


def _load_graphiql() -> Any | None:
    """The bundled GraphiQL page module (`supergraph.graphiql`), when installed."""
    try:
        return importlib.import_module("supergraph.graphiql")
    except ImportError:
        return None


RELOADABLE = frozenset(
    {
        "demand_control",
        "limits",
        "document_limits",
        "deadline",
        "max_response_bytes",
        "authorization_mode",
        "authorization_errors",
        "trusted_documents",
        "override_labels",
    }
)
"""What `app.state.reload` can change without a restart: the options the gateway
pipeline reads per request. The HTTP policies (CORS, CSRF, rate limits, body size), the
profile, authentication, plugins, the event feed and open subscriptions are built once."""


def create_app(
    supergraph_sdl: str,
    *,
    subgraph_urls: Mapping[str, str] | None = None,
    forward_headers: tuple[str, ...] | list[str] = (),
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    timeout: float = 30.0,
    path: str = "/graphql",
    event_transport: Transport | None = None,
    freshness: Freshness | None = None,
    subscriber_queue_size: int = 256,
    sse_keepalive: float = 12.0,
    multipart_heartbeat: float = 5.0,
    example_query: str | None = None,
    authenticator: JwtAuthenticator | None = None,
    policy_evaluator: PolicyEvaluator | None = None,
    demand_control: DemandControl | None = DEFAULT_DEMAND_CONTROL,
    limits: OperationLimits | None = DEFAULT_LIMITS,
    document_limits: DocumentLimits | None = DEFAULT_DOCUMENT_LIMITS,
    deadline: float | None = DEFAULT_DEADLINE,
    max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
    plan_cache_bytes: int | None = DEFAULT_BYTES,
    batching: Batching | None = None,
    authorization_mode: AuthorizationMode = "filter",
    authorization_errors: ErrorReporting | None = None,
    subgraph_identity: IdentitySigner | None = None,
    profile: ProfileName = "production",
    introspection: bool | None = None,
    graphiql: bool | None = None,
    csrf: CsrfPrevention | None = DEFAULT_CSRF,
    cors: Cors = DEFAULT_CORS,
    check_origin: bool = True,
    max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
    rate_limits: RateLimits | None = DEFAULT_RATE_LIMITS,
    trusted_documents: TrustedDocuments | None = None,
    override_labels: CustomLabels | None = None,
    override_random: random.Random | None = None,
    metrics: bool = True,
    plugins: Sequence[Plugin] = (),
    entity_cache: str | EntityCacheOptions | None = "memory",
) -> Starlette:
    """The gateway as an ASGI app. `transports` maps subgraph URLs to httpx transports
    (e.g. `httpx.ASGITransport`) for subgraphs mounted in the same process.

    `event_transport` (the bus: Kafka, or the in-process transport in embedded mode)
    turns on subscriptions: the app consumes the `@eventSource` topics itself, from the
    latest offsets with a consumer group of its own, between startup and shutdown (the
    caller starts and stops the transport). Without it, subscriptions are refused.
    `multipart_heartbeat`: seconds between `{}` parts on a quiet multipart subscription.
    `example_query` is what GraphiQL's editor opens with. `authenticator` verifies bearer
    JWTs and `policy_evaluator` decides `@policy` names; `authorization_mode` is
    "filter", "reject" or "dry_run" and `authorization_errors` where the unauthorized-field
    errors go and whether they are logged (see `plugins/authorization/`);
    `demand_control` refuses operations estimated above a cost (`demand_control.py`),
    `limits` operations too deep, tall, wide or aliased (`limits.py`); `batching` accepts
    JSON arrays of requests (`batching.py`, off when None). `document_limits` (size, nesting,
    tokens, fragment expansion, directives, repeated fields: `document_limits.py`),
    `deadline` (seconds per request) and `max_response_bytes` are the other safe defaults;
    every limit is on by default and None turns it off (README "Safe defaults").
    `subgraph_identity` signs the identity token every subgraph request carries
    (`subgraph_identity.py`; its public JWKS is served at /.well-known/gateway-jwks.json).
    `trusted_documents`: the persisted query lists this gateway runs by id, and in
    `enforce` mode the only operations it runs (`trusted_documents.py`).
    `override_labels`: the custom progressive override labels that are on, or a function
    of the request headers naming them (`override_labels.py`; `percent(N)` labels are
    drawn per request whatever this says, from `override_random` when given).
    `plugins`: code around the router, supergraph and subgraph stages (`plugins.py`).
    `entity_cache`: "memory" (the default), `EntityCacheOptions` or "off": caches the
    answers subgraphs declare `@cacheable`, invalidated by their events read from
    `event_transport` (`entity_cache.py`; off when nothing is declared, or when rules
    name events and there is no `event_transport`).

    HTTP policies (README "Policies", `policies.py`), all on by default: `profile`
    "production" (introspection, GraphiQL and error details off; `introspection`/`graphiql`
    override it) or "development"; `csrf` (Router's rule, None turns it off), `cors`
    (allowed origins, none by default; also the origins allowed to open WebSockets and
    event streams when `check_origin`), `max_body_size` (bytes, also per WebSocket
    message), `rate_limits` (per client; None turns them off).
    """
    options: dict[str, Any] = dict(
        subgraph_urls=subgraph_urls,
        transports=transports,
        forward_headers=forward_headers,
        timeout=timeout,
        authenticator=authenticator,
        policy_evaluator=policy_evaluator,
        demand_control=demand_control,
        limits=limits,
        document_limits=document_limits,
        deadline=deadline,
        max_response_bytes=max_response_bytes,
        plan_cache_bytes=plan_cache_bytes,
        authorization_mode=authorization_mode,
        authorization_errors=authorization_errors,
        subgraph_identity=subgraph_identity,
        trusted_documents=trusted_documents,
        override_labels=override_labels,
        override_random=override_random,
        plugins=plugins,
    )
    gateway = Gateway(supergraph_sdl, **options)
    cache, cache_feed = build_entity_cache(supergraph_sdl, entity_cache, event_transport)
    gateway.executor.entity_cache = cache
    ready = {"value": True}
    current: dict[str, Gateway] = {"gateway": gateway}  # swapped by `reload`
    policies = Policies(
        profile=Profile.of(profile, introspection=introspection, graphiql=graphiql),
        csrf=csrf,
        cors=cors,
        check_origin=check_origin,
        max_body_size=max_body_size,
        rate_limits=rate_limits,
        authenticator=gateway.authenticator,
    )
    page = _load_graphiql() if policies.profile.graphiql else None
    live: SupergraphSubscriptions | None = None
    if event_transport is not None:
        live = _subscriptions(
            gateway,
            supergraph_sdl,
            event_transport,
            forward_headers=tuple(forward_headers),
            freshness=freshness,
            queue_size=subscriber_queue_size,
            current=current,
            transports=transports,
        )
    source: Any = None
    if live is not None:  # the gateway's policies (builtin.py), then the HTTP ones
        source = policies.subscriptions(
            gateway.guarded_subscriptions(live, identified=subgraph_identity is not None)
        )
    sse = GraphQLSSE(source, keepalive=sse_keepalive) if source is not None else None
    multipart = (
        GraphQLMultipart(source, heartbeat=multipart_heartbeat) if source is not None else None
    )
    endpoint = GraphQLEndpoint(
        gateway,
        page,
        sse,
        example_query=example_query,
        multipart=multipart,
        batching=batching,
        policies=policies,
    )

    async def health(_request: Request) -> Response:
        if not ready["value"]:
            return JSONResponse({"status": "starting"}, status_code=503)
        if live is not None and live.feed.topics:
            # still 200: queries and mutations are served while the feed reconnects
            state = "connected" if live.feed.connected else "connecting"
            return JSONResponse({"status": "ok", "eventFeed": state})
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if live is not None:
            ready["value"] = False
            await live.feed.start()
            ready["value"] = True
        if cache_feed is not None:
            await cache_feed.start()
        try:
            yield
        finally:
            ready["value"] = False
            if cache_feed is not None:
                await cache_feed.stop()
            if live is not None:
                await live.feed.stop()
            await current["gateway"].aclose()  # the fetcher every reload shared

    routes: list[Any] = [
        # a span per request, the client's trace continued (runtime/tracing.py)
        Route(path, ServerSpan(request_response(endpoint.handle)), methods=["GET", "POST"]),
        Route("/health", health, methods=["GET"]),
    ]
    if subgraph_identity is not None:
        public_jwks = subgraph_identity.public_jwks()

        async def gateway_jwks(_request: Request) -> Response:
            return JSONResponse(public_jwks, headers={"cache-control": "max-age=300"})

        routes.append(Route(JWKS_PATH, gateway_jwks, methods=["GET"]))
    if live is not None:
        routes += subscription_routes(
            source, path=path, sse_path=f"{path}/stream", keepalive=sse_keepalive
        )
    routes = policies.routes(routes, (path, f"{path}/stream"))
    static_dir = getattr(page, "STATIC_DIR", None) if page else None
    if static_dir is not None:
        mount_path = getattr(page, "MOUNT_PATH", "/graphiql")
        routes.append(Mount(mount_path, StaticFiles(directory=str(static_dir), check_dir=False)))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.gateway = gateway

    def reload(new_sdl: str | None = None, **changes: Any) -> None:
        """Serve queries and mutations from `new_sdl` (None: the running supergraph) and
        with `changes` to the `RELOADABLE` options from now on; a `SupergraphError` or a
        bad option leaves the running gateway in place. Requests in flight finish on the
        gateway they started on, sharing its fetcher; open subscriptions keep theirs."""
        unknown = set(changes) - RELOADABLE
        if unknown:
            raise ValueError(f"not reloadable without a restart: {', '.join(sorted(unknown))}")
        old = app.state.gateway
        sdl = old.supergraph_sdl if new_sdl is None else new_sdl
        fresh = Gateway(sdl, **{**options, **changes}, fetcher=old.fetcher)
        fresh.executor.entity_cache = reloaded_entity_cache(cache, cache_feed, sdl)
        if "demand_control" not in changes:
            fresh.cost_estimator = old.cost_estimator
        options.update(changes)
        endpoint.gateway = fresh
        app.state.gateway = fresh
        current["gateway"] = fresh

    app.state.reload = reload
    app.state.ready = ready
    app.state.subscriptions = live
    app.state.entity_cache = cache
    if metrics:  # GET /metrics (Prometheus), loopback scrapers by default: metrics.py
        mount_metrics(app)
    return app


def _subscriptions(
    gateway: Gateway,
    supergraph_sdl: str,
    transport: Transport,
    *,
    forward_headers: tuple[str, ...],
    freshness: Freshness | None,
    queue_size: int,
    current: dict[str, Gateway] | None = None,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> SupergraphSubscriptions:
    """The gateway's Subscription type: event-driven fields resolved through its planner,
    the rest forwarded to the subgraph at its (possibly overridden) URL."""
    overrides = {
        graph.url: gateway.urls[graph.name]
        for graph in gateway.supergraph.graphs.values()
        if gateway.urls.get(graph.name, graph.url) != graph.url
    }

    async def execute(request: OperationRequest) -> ExecutionResult:
        """Queries and mutations sent over the WebSocket take the HTTP pipeline."""
        response = await (current or {"gateway": gateway})["gateway"].execute(
            GatewayRequest(
                request.query,
                request.variables,
                request.operation_name,
                request.extensions,
                headers=request.headers,
            )
        )
        return response.body

    signer = gateway.subgraph_identity
    return live_subscriptions(
        supergraph_sdl,
        gateway.supergraph.api_schema,
        transport,
        gateway,
        subgraph_urls=overrides,
        forward_headers=forward_headers,
        freshness=freshness,
        queue_size=queue_size,
        execute=execute,
        identity_headers=(
            (lambda: signer.headers(current_subscriber())) if signer is not None else None
        ),
        transports=transports,  # in-process subgraphs (pos run) list their events too
    )

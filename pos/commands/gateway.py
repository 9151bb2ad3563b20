"""`pos gateway`: serve a supergraph (its options; what they build lives in `gateway_*`)."""

from __future__ import annotations

import inspect
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from pos.commands import (
    gateway_config_file,
    gateway_lifespans,
    gateway_settings,
    gateway_workers,
)

DEFAULT_SUPERGRAPH = Path("schema/supergraph.graphql")
URLS_ENV = "POS_SUBGRAPH_URLS"


def parse_subgraph_urls(pairs: Sequence[str], source: str) -> dict[str, str]:
    """`name=url` pairs (from the env var, comma-separated, or repeated options)."""
    urls: dict[str, str] = {}
    for pair in pairs:
        pair = pair.strip()
        if not pair:
            continue
        name, sep, url = pair.partition("=")
        if not sep or not name.strip() or not url.strip():
            raise typer.BadParameter(f"{source}: expected name=url, got {pair!r}")
        urls[name.strip()] = url.strip()
    return urls


def subgraph_urls(options: Sequence[str], env: Mapping[str, str] | None = None) -> dict[str, str]:
    """URL overrides: POS_SUBGRAPH_URLS first, then --subgraph-url options (which win)."""
    env = os.environ if env is None else env
    urls = parse_subgraph_urls(env.get(URLS_ENV, "").split(","), URLS_ENV)
    urls.update(parse_subgraph_urls(options, "--subgraph-url"))
    return urls


def gateway(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            help="A TOML file with any of these options (pos/gateway_config.py, JSON Schema "
            "in docs/gateway-config.schema.json); options given here win over it."
        ),
    ] = None,
    validate_config: bool = typer.Option(
        False, help="Check --config (and the supergraph it names) and exit: 0 when usable."
    ),
    print_config_schema: bool = typer.Option(
        False, help="Print the JSON Schema of --config files and exit."
    ),
    supergraph: Annotated[Path, typer.Option(help="Supergraph SDL to serve.")] = DEFAULT_SUPERGRAPH,
    supergraph_url: Annotated[
        str | None,
        typer.Option(
            help="Read the supergraph from this http(s) URL instead (a registry or any file "
            "server), polled with its ETag; a new one is served without a restart."
        ),
    ] = None,
    supergraph_poll: Annotated[
        float, typer.Option(help="Seconds between polls of --supergraph-url (0: read once).")
    ] = 10.0,
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(4000, help="Port."),
    subgraph_url: Annotated[
        list[str] | None,
        typer.Option(
            "--subgraph-url",
            help="name=url, repeatable: call a subgraph there instead of its supergraph URL "
            f"(also {URLS_ENV}=name=url,name=url; the option wins).",
        ),
    ] = None,
    forward_header: Annotated[
        list[str] | None,
        typer.Option(help="Request header copied to every subgraph call (repeatable)."),
    ] = None,
    log_level: str = typer.Option("info", help="uvicorn log level."),
    no_subscriptions: bool = typer.Option(
        False, help="Do not consume Kafka (POS_KAFKA_BOOTSTRAP) for live subscriptions."
    ),
    jwks: Annotated[
        str | None,
        typer.Option(
            envvar="POS_JWKS",
            help="JWKS file or http(s) URL of a token issuer (an OIDC provider): verify "
            "'Authorization: Bearer <JWT>' with its keys (bad tokens get 401). Beside it, "
            "when the supergraph has a `staff` subgraph, its /.well-known/jwks.json is "
            "trusted too (issuer POS_STAFF_ISSUER or urn:pos:staff, audience pos; "
            "--no-staff-tokens: not). With neither, every request is anonymous.",
        ),
    ] = None,
    jwt_issuer: Annotated[
        str | None, typer.Option(envvar="POS_JWT_ISSUER", help="Required `iss` of tokens.")
    ] = None,
    jwt_audience: Annotated[
        str | None, typer.Option(envvar="POS_JWT_AUDIENCE", help="Required `aud` of tokens.")
    ] = None,
    jwt_roles_claim: Annotated[
        str | None,
        typer.Option(
            help="Dotted path of the --jwks issuer's roles claim (realm_access.roles, groups): "
            "its roles become our scopes by --jwt-role, and its own `scope` is ignored."
        ),
    ] = None,
    jwt_role: Annotated[
        list[str] | None,
        typer.Option(
            help="ROLE=scope,scope (repeatable): the scopes a role of --jwt-roles-claim grants."
        ),
    ] = None,
    staff_tokens: Annotated[
        bool,
        typer.Option(help="Trust the `staff` subgraph's tokens (when the supergraph has one)."),
    ] = True,
    policy: Annotated[
        list[str] | None,
        typer.Option(
            help="@policy name granted by a verified claim, repeatable: NAME=CLAIM (the claim "
            "is true) or NAME=CLAIM=VALUE (equals VALUE or is a list holding it). Policies not "
            "listed are denied."
        ),
    ] = None,
    authorization_mode: Annotated[
        str,
        typer.Option(
            help="What to do with an operation selecting fields the request may not see: "
            "filter (remove them: null + error), reject (refuse the whole operation) or "
            "dry-run (run it unfiltered, report the errors).",
        ),
    ] = "filter",
    authorization_errors: Annotated[
        str,
        typer.Option(
            help="Where UNAUTHORIZED_FIELD_OR_TYPE errors go: errors (the response's errors), "
            "extensions (extensions.authorizationErrors, so clients do not throw) or disabled "
            "(dropped).",
        ),
    ] = "errors",
    authorization_log: bool = typer.Option(
        True, help="Log the unauthorized paths of every request that had any (ERROR level)."
    ),
    max_cost: Annotated[
        float | None,
        typer.Option(
            envvar="POS_MAX_COST",
            help="Demand control: refuse operations whose estimated cost (@cost/@listSize, "
            "Apollo's static estimate) is above this, before any subgraph is called "
            "(COST_ESTIMATED_TOO_EXPENSIVE). Default 50000 (lists sized by first/last, else "
            "--default-list-size); 0: off.",
        ),
    ] = None,
    default_list_size: Annotated[
        int | None,
        typer.Option(
            help="Demand control: items assumed for a list field without @listSize (default 10).",
        ),
    ] = None,
    max_depth: Annotated[
        int | None,
        typer.Option(
            help="Operation limit: deepest field nesting (MAX_DEPTH_LIMIT). Default 15; "
            "0 (here and in every limit below): off."
        ),
    ] = None,
    max_height: Annotated[
        int | None,
        typer.Option(
            help="Operation limit: distinct fields, fragments included (MAX_HEIGHT_LIMIT). "
            "Default 200."
        ),
    ] = None,
    max_root_fields: Annotated[
        int | None,
        typer.Option(
            help="Operation limit: fields on the root type (MAX_ROOT_FIELDS_LIMIT). Default 20."
        ),
    ] = None,
    max_aliases: Annotated[
        int | None,
        typer.Option(help="Operation limit: aliased fields (MAX_ALIASES_LIMIT). Default 30."),
    ] = None,
    max_document_length: Annotated[
        int | None,
        typer.Option(help="Characters in a document (OPERATION_TOO_LARGE). Default 1000000."),
    ] = None,
    max_tokens: Annotated[
        int | None,
        typer.Option(help="Parser tokens in a document (MAX_TOKENS_LIMIT). Default 15000."),
    ] = None,
    max_nesting: Annotated[
        int | None,
        typer.Option(help="Brackets open at once in a document (MAX_NESTING_LIMIT). Default 100."),
    ] = None,
    max_expanded_fields: Annotated[
        int | None,
        typer.Option(
            help="Fields once fragments are expanded, checked before validation "
            "(OPERATION_TOO_LARGE). Default 5000."
        ),
    ] = None,
    max_directives: Annotated[
        int | None,
        typer.Option(help="Directives in a document (MAX_DIRECTIVES_LIMIT). Default 50."),
    ] = None,
    max_field_repeats: Annotated[
        int | None,
        typer.Option(
            help="Times one field may be written in one selection set (MAX_FIELD_REPEATS_LIMIT). "
            "Default 10."
        ),
    ] = None,
    request_timeout: Annotated[
        float | None,
        typer.Option(
            help="Seconds a request may take, subgraph calls included; then they are cancelled "
            "(GATEWAY_TIMEOUT, HTTP 504). Default 30."
        ),
    ] = None,
    max_response_bytes: Annotated[
        int | None,
        typer.Option(help="Serialized response size (RESPONSE_TOO_LARGE). Default 16777216."),
    ] = None,
    plan_cache_bytes: Annotated[
        int | None,
        typer.Option(help="Estimated bytes the plan cache may hold. Default 67108864."),
    ] = None,
    limits_warn_only: bool = typer.Option(
        False,
        help="Operation limits only log a warning for an operation over a limit and let it "
        "run. Needs a --max-* limit.",
    ),
    batching: bool = typer.Option(
        False, help="Accept a JSON array of requests in one POST (Apollo Client's BatchHttpLink)."
    ),
    max_batch_size: Annotated[
        int | None,
        typer.Option(help="Most requests in one batch (default 32). Needs --batching."),
    ] = None,
    entity_cache: Annotated[
        str,
        typer.Option(
            help="memory: cache the subgraph answers the supergraph declares @cacheable, "
            "invalidated by their events (needs the event bus); redis: the same in Redis, "
            "shared by every gateway instance on it; off: never cache."
        ),
    ] = "memory",
    entity_cache_redis_url: Annotated[
        str | None,
        typer.Option(
            help="Redis for --entity-cache redis (redis://host:port/db). Default: "
            "POS_REDIS_URL, else redis://127.0.0.1:6379/0 (`pos infra up`)."
        ),
    ] = None,
    entity_cache_redis_prefix: Annotated[
        str | None,
        typer.Option(
            help="Key prefix in Redis (default pos:entity-cache:); entries are further "
            "namespaced by the supergraph's hash."
        ),
    ] = None,
    profile: Annotated[
        str,
        typer.Option(
            help="production (introspection, GraphiQL and error details off) or development."
        ),
    ] = "production",
    introspection: Annotated[
        bool | None,
        typer.Option("--introspection/--no-introspection", help="Override the profile."),
    ] = None,
    graphiql: Annotated[
        bool | None, typer.Option("--graphiql/--no-graphiql", help="Override the profile.")
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            help="Origin (scheme://host[:port], repeatable, * for any) whose pages may call "
            "the gateway (CORS) and open WebSockets/event streams. Default: same origin only."
        ),
    ] = None,
    cors_credentials: bool = typer.Option(
        False, help="Let listed origins send cookies (Access-Control-Allow-Credentials)."
    ),
    csrf: bool = typer.Option(
        True, help="Refuse requests a browser sends without a CORS preflight (Router's CSRF)."
    ),
    check_origin: bool = typer.Option(
        True, help="Refuse WebSockets and event streams from origins not allowed."
    ),
    max_body_size: Annotated[
        int, typer.Option(help="Largest request body and WebSocket message, bytes (0: none).")
    ] = 2_000_000,
    rate_limit: Annotated[
        float, typer.Option(help="Operations per second per client (0: no rate limits).")
    ] = 50.0,
    rate_burst: Annotated[int, typer.Option(help="Operations a client may send at once.")] = 200,
    max_websockets: Annotated[
        int, typer.Option(help="Open WebSockets per client (0: no cap).")
    ] = 20,
    max_subscriptions: Annotated[
        int, typer.Option(help="Open subscriptions per client, all transports (0: no cap).")
    ] = 100,
    trusted_documents: Annotated[
        list[Path] | None,
        typer.Option(
            help="A persisted query list (Apollo's manifest, or a {id: document} map as "
            "GraphQL Code Generator and Relay write it); repeatable. Clients may send ids."
        ),
    ] = None,
    plugin: Annotated[
        list[str] | None,
        typer.Option(
            help="A plugin class to run around the request stages, package.module:Class "
            "(supergraph/runtime/plugins/api.py); repeatable, run in the order given."
        ),
    ] = None,
    override_label: Annotated[
        list[str] | None,
        typer.Option(
            help="A custom progressive override label to turn on (@override(label:)); "
            "repeatable. percent(N) labels are drawn per request without this."
        ),
    ] = None,
    trusted_documents_mode: Annotated[
        str | None,
        typer.Option(
            help="enforce (only listed documents run), log (others run and are logged once) "
            "or allow. Default: enforce in the production profile, allow in development."
        ),
    ] = None,
    web_app: bool = typer.Option(
        False, "--app/--no-app", help="Serve the POS web app (web/, built by setup) at /."
    ),
    subgraph_traffic: Annotated[
        list[str] | None,
        typer.Option(
            help="Traffic shaping, repeatable: [SUBGRAPH:]KEY=VALUE (no SUBGRAPH: every "
            "subgraph; a subgraph's own setting wins). Keys and defaults: connect_timeout=5, "
            "request_timeout=30 (seconds), retries=2 (queries only, never mutations), "
            "retry_backoff=0.05, retry_budget_percent=0.2, retry_budget_min_per_second=10, "
            "breaker_failures=5 (0: no breaker), breaker_open_seconds=10, dedup=true, "
            "max_connections=100 (0: no cap), batch_window=0 (seconds _entities calls of "
            "concurrent requests wait to share one request). E.g. reviews:retries=0.",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            help="Worker processes sharing the port (each its own gateway, plan cache and "
            "event feed); SIGHUP restarts them one by one."
        ),
    ] = 1,
    otlp_endpoint: Annotated[
        str | None,
        typer.Option(
            help="Send traces to this OTLP/HTTP collector (http://collector:4318). Default: "
            "POS_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT; unset: no traces "
            "(docs/observability.md)."
        ),
    ] = None,
    log_format: Annotated[
        str | None, typer.Option(help="text or json lines (default: POS_LOG_FORMAT, else text).")
    ] = None,
    access_log: Annotated[
        bool | None,
        typer.Option(
            "--access-log/--no-access-log",
            help="A log line per request at INFO (default on; POS_ACCESS_LOG=off).",
        ),
    ] = None,
) -> Any:
    """Serve a supergraph: the federated API at /graphql (GraphiQL in a browser)."""
    if workers > 1 and config is None and not validate_config and not print_config_schema:
        # every option as given, for each worker to build the same app (gateway_workers.py)
        given = {n: v for n, v in locals().items() if n in inspect.signature(gateway).parameters}
        return gateway_workers.run_workers(given)
    if print_config_schema:
        from pos.gateway_config import json_schema

        typer.echo(json.dumps(json_schema(), indent=2))
        return
    if config is not None or validate_config:
        # the file's settings where the command line left an option at its default, then
        # this very command again without --config
        params = gateway_config_file.with_config(ctx, config, validate_config)
        if params is None:
            return
        return gateway(ctx, **params)
    import uvicorn

    from eventbus.transports.kafka import KafkaTransport
    from pos.logging_json import configure_logging
    from pos.settings import Settings
    from pos.trace_export import configure_tracing
    from supergraph.runtime import SupergraphError, create_app

    # the flags, else POS_LOG_FORMAT/POS_ACCESS_LOG (which `pos --log-format` also sets, so
    # `--workers` processes log alike)
    configure_logging(log_format, access_log=access_log)
    configure_tracing("pos-gateway", otlp_endpoint)  # docs/observability.md

    fetched = None
    if supergraph_url is not None:
        from supergraph.runtime.server.supergraph_url import SupergraphFetchError, fetch_now

        if not supergraph_url.startswith(("http://", "https://")):
            raise typer.BadParameter("an http:// or https:// URL", param_hint="--supergraph-url")
        try:
            fetched = fetch_now(supergraph_url)
        except SupergraphFetchError as e:
            typer.echo(f"error: cannot read the supergraph: {e}", err=True)
            raise typer.Exit(2) from e
        sdl = fetched.sdl
    else:
        try:
            sdl = supergraph.read_text()
        except OSError as e:
            typer.echo(f"error: cannot read {supergraph}: {e}", err=True)
            raise typer.Exit(2) from e
    urls = subgraph_urls(subgraph_url or [])
    issuers = gateway_settings.issuers(
        jwks, jwt_issuer, jwt_audience, jwt_roles_claim, jwt_role or []
    )
    if staff_tokens:
        issuers += gateway_settings.staff_issuer(sdl, urls)
    security = gateway_settings.security(issuers, policy or [])
    security["override_labels"] = list(override_label or ())
    security["plugins"] = gateway_settings.plugins(plugin or [])
    documents = list(trusted_documents or [])
    if web_app:  # the app's own operations; enforced in production (docs/app.md)
        from web import app_trusted_documents

        documents.append(app_trusted_documents())
    security["trusted_documents"] = gateway_settings.trusted_documents(
        documents, trusted_documents_mode, profile
    )
    security["subgraph_identity"] = gateway_settings.subgraph_identity(Settings.from_env())
    security["authorization_mode"] = gateway_settings.authorization_mode(authorization_mode)
    security["authorization_errors"] = gateway_settings.authorization_errors(
        authorization_errors, authorization_log
    )
    budget = gateway_settings.demand_control(max_cost, default_list_size)
    limits = gateway_settings.limits(
        max_depth, max_height, max_root_fields, max_aliases, limits_warn_only
    )
    safety = gateway_settings.safety(
        max_document_length,
        max_tokens,
        max_nesting,
        max_expanded_fields,
        max_directives,
        max_field_repeats,
    )
    for name, value in (
        ("deadline", request_timeout),
        ("max_response_bytes", max_response_bytes),
        ("plan_cache_bytes", plan_cache_bytes),
    ):
        if value is not None:
            safety[name] = value or None
    batches = gateway_settings.batching(batching, max_batch_size)
    traffic = gateway_settings.traffic(subgraph_traffic or [])
    bus = (
        None
        if no_subscriptions
        else KafkaTransport(Settings.from_env().kafka_bootstrap, client_id="pos-gateway")
    )
    try:
        app = create_app(
            sdl,
            subgraph_urls=urls,
            forward_headers=tuple(forward_header or ()),
            event_transport=bus,
            demand_control=budget,
            limits=limits,
            batching=batches,
            entity_cache=gateway_settings.entity_cache(
                entity_cache, entity_cache_redis_url, entity_cache_redis_prefix
            ),
            **gateway_settings.policies(
                profile,
                introspection,
                graphiql,
                cors_origin or [],
                cors_credentials,
                csrf,
                check_origin,
                max_body_size,
                (rate_limit, rate_burst, max_websockets, max_subscriptions),
            ),
            **safety,
            **security,
        )
    except (SupergraphError, ValueError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e
    if traffic is not None:
        unknown = set(traffic.subgraphs) - set(app.state.gateway.urls)
        if unknown:
            raise typer.BadParameter(
                f"no subgraph named {', '.join(sorted(unknown))} in the supergraph",
                param_hint="--subgraph-traffic",
            )
        app.state.gateway.fetcher.configure_traffic(traffic)
    if bus is not None:
        app.router.lifespan_context = gateway_lifespans.with_bus(app.router.lifespan_context, bus)
    reconfigure = gateway_config_file.config_reloader(ctx)
    if fetched is not None and supergraph_url is not None:
        if supergraph_poll > 0:
            app.router.lifespan_context = gateway_lifespans.with_poll(
                app.router.lifespan_context, supergraph_url, fetched, supergraph_poll
            )
        if reconfigure is not None:
            app.router.lifespan_context = gateway_lifespans.with_reload(
                app.router.lifespan_context, None, reconfigure
            )
    else:
        app.router.lifespan_context = gateway_lifespans.with_reload(
            app.router.lifespan_context, supergraph, reconfigure
        )
    if web_app:
        from web import mount_app

        mount_app(app)  # after every gateway route: its page route is a catch-all
    if budget is not None:
        typer.echo(
            f"  demand control: max cost {budget.max_cost:g}, default list size {budget.list_size}",
            err=True,
        )
    if limits is not None:
        shown = ", ".join(
            f"{k} {v}" for k, v in vars(limits).items() if k != "warn_only" and v is not None
        )
        warn = " (warn only)" if limits.warn_only else ""
        typer.echo(f"  operation limits: {shown}{warn}", err=True)
    if batches is not None:
        typer.echo(f"  batching: at most {batches.max_size} requests per batch", err=True)
    for name, url in sorted(app.state.gateway.urls.items()):
        typer.echo(f"  {name}: {url}", err=True)
    if web_app:
        typer.echo(f"POS app at http://{host}:{port}/", err=True)
    if os.environ.get(gateway_workers.WORKER_ENV):
        return app  # a worker process (gateway_workers.py): its supervisor serves it
    typer.echo(f"Gateway at http://{host}:{port}/graphql", err=True)
    sys.stdout.flush()
    uvicorn.run(
        app, host=host, port=port, log_level=log_level, lifespan="on", ws="websockets-sansio"
    )
    return None

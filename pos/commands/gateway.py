"""`pos compose` (subgraph SDLs -> supergraph SDL) and `pos gateway` (serve a supergraph)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from eventbus.ports import Transport

DEFAULT_CONFIG = Path("supergraph.toml")
DEFAULT_SUPERGRAPH = Path("schema/supergraph.graphql")
URLS_ENV = "POS_SUBGRAPH_URLS"


def compose(
    config: Annotated[Path, typer.Option(help="TOML file listing the subgraphs.")] = DEFAULT_CONFIG,
    out: Annotated[
        Path, typer.Option(help="Where to write the supergraph SDL.")
    ] = DEFAULT_SUPERGRAPH,
    check: bool = typer.Option(
        False, help="Write nothing; exit 1 when OUT differs from a fresh composition (CI)."
    ),
) -> None:
    """Compose the subgraphs a config lists into a Federation 2 supergraph SDL.

    Exit codes: 0 written (or, with --check, up to date); 1 composition errors (printed
    like Apollo's, `CODE: message`) or drift; 2 the config or a schema cannot be read.
    Composition hints (Apollo's warnings) go to stderr as `HINT CODE: message`.
    """
    from supergraph.composition import main

    if not check:
        raise typer.Exit(main(config, out))
    from supergraph.composition import compose_from_config
    from supergraph.composition.config import ConfigError, print_hints

    try:
        result = compose_from_config(config)
    except ConfigError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e
    print_hints(result)
    if result.supergraph_sdl is None:
        for error in result.errors:
            typer.echo(str(error), err=True)
        raise typer.Exit(1)
    current = out.read_text() if out.exists() else None
    if current != result.supergraph_sdl:
        typer.echo(
            f"{out} is out of date: run `pos compose --config {config} --out {out}`", err=True
        )
        raise typer.Exit(1)
    typer.echo(f"{out} is up to date")


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
    supergraph: Annotated[Path, typer.Option(help="Supergraph SDL to serve.")] = DEFAULT_SUPERGRAPH,
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
            help="JWKS file or http(s) URL: verify 'Authorization: Bearer <JWT>' with its keys "
            "(bad tokens get 401). Without it every request is anonymous.",
        ),
    ] = None,
    jwt_issuer: Annotated[
        str | None, typer.Option(envvar="POS_JWT_ISSUER", help="Required `iss` of tokens.")
    ] = None,
    jwt_audience: Annotated[
        str | None, typer.Option(envvar="POS_JWT_AUDIENCE", help="Required `aud` of tokens.")
    ] = None,
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
            "(COST_ESTIMATED_TOO_EXPENSIVE). Off when not given.",
        ),
    ] = None,
    default_list_size: Annotated[
        int | None,
        typer.Option(
            help="Demand control: items assumed for a list field without @listSize "
            "(default 10). Needs --max-cost.",
        ),
    ] = None,
    max_depth: Annotated[
        int | None,
        typer.Option(
            help="Operation limit: deepest field nesting (MAX_DEPTH_LIMIT). Off if unset."
        ),
    ] = None,
    max_height: Annotated[
        int | None,
        typer.Option(
            help="Operation limit: distinct fields, fragments included (MAX_HEIGHT_LIMIT)."
        ),
    ] = None,
    max_root_fields: Annotated[
        int | None,
        typer.Option(help="Operation limit: fields on the root type (MAX_ROOT_FIELDS_LIMIT)."),
    ] = None,
    max_aliases: Annotated[
        int | None,
        typer.Option(help="Operation limit: aliased fields (MAX_ALIASES_LIMIT)."),
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
) -> None:
    """Serve a supergraph: the federated API at /graphql (GraphiQL in a browser)."""
    import uvicorn

    from eventbus.transports.kafka import KafkaTransport
    from pos.settings import Settings
    from supergraph.runtime import SupergraphError, create_app

    try:
        sdl = supergraph.read_text()
    except OSError as e:
        typer.echo(f"error: cannot read {supergraph}: {e}", err=True)
        raise typer.Exit(2) from e
    urls = subgraph_urls(subgraph_url or [])
    security = _security(jwks, jwt_issuer, jwt_audience, policy or [])
    security["subgraph_identity"] = _subgraph_identity(Settings.from_env())
    security["authorization_mode"] = _authorization_mode(authorization_mode)
    security["authorization_errors"] = _authorization_errors(
        authorization_errors, authorization_log
    )
    budget = _demand_control(max_cost, default_list_size)
    limits = _limits(max_depth, max_height, max_root_fields, max_aliases, limits_warn_only)
    batches = _batching(batching, max_batch_size)
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
            **security,
        )
    except (SupergraphError, ValueError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e
    if bus is not None:
        app.router.lifespan_context = _with_bus(app.router.lifespan_context, bus)
    if budget is not None:
        typer.echo(
            f"  demand control: max cost {max_cost:g}, default list size {budget.list_size}",
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
    typer.echo(f"Gateway at http://{host}:{port}/graphql", err=True)
    sys.stdout.flush()
    uvicorn.run(
        app, host=host, port=port, log_level=log_level, lifespan="on", ws="websockets-sansio"
    )


def _security(
    jwks: str | None, issuer: str | None, audience: str | None, policies: Sequence[str]
) -> dict[str, Any]:
    """`create_app` arguments for JWT authentication and `@policy` decisions."""
    from supergraph.runtime.authentication import JwksError, JwksSource, JwtAuthenticator
    from supergraph.runtime.authorization import ClaimPolicies

    out: dict[str, Any] = {}
    try:
        out["policy_evaluator"] = ClaimPolicies.parse(policies)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--policy") from e
    if jwks:
        source = JwksSource(jwks)
        try:
            source.load_now()
        except (OSError, JwksError) as e:
            typer.echo(f"error: cannot use the JWKS {jwks}: {e}", err=True)
            raise typer.Exit(2) from e
        out["authenticator"] = JwtAuthenticator(source, issuer=issuer, audience=audience)
    elif issuer or audience:
        raise typer.BadParameter("--jwt-issuer/--jwt-audience need --jwks", param_hint="--jwks")
    return out


def _authorization_mode(option: str) -> Any:
    """`--authorization-mode` (filter, reject, dry-run) as an `AuthorizationMode`."""
    from supergraph.runtime.authorization import AUTHORIZATION_MODES

    mode = option.strip().lower().replace("-", "_")
    if mode not in AUTHORIZATION_MODES:
        raise typer.BadParameter(
            f"{option!r}: expected filter, reject or dry-run", param_hint="--authorization-mode"
        )
    return mode


def _authorization_errors(option: str, log_paths: bool) -> Any:
    """`--authorization-errors` and `--[no-]authorization-log` as an `ErrorReporting`."""
    from supergraph.runtime.authorization import ERRORS_RESPONSES, ErrorReporting

    wanted = option.strip().lower()
    for response in ERRORS_RESPONSES:
        if response == wanted:
            return ErrorReporting(response, log_paths)
    raise typer.BadParameter(
        f"{option!r}: expected errors, extensions or disabled",
        param_hint="--authorization-errors",
    )


def _demand_control(max_cost: float | None, list_size: int | None) -> Any:
    """The `DemandControl` budget the options ask for, or None (no cost limit)."""
    from supergraph.runtime.demand_control import DEFAULT_LIST_SIZE, DemandControl

    if max_cost is None:
        if list_size is not None:
            raise typer.BadParameter("needs --max-cost", param_hint="--default-list-size")
        return None
    try:
        return DemandControl(max_cost, DEFAULT_LIST_SIZE if list_size is None else list_size)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--max-cost/--default-list-size") from e


def _limits(
    depth: int | None, height: int | None, roots: int | None, aliases: int | None, warn: bool
) -> Any:
    """The `OperationLimits` the options ask for, or None (no limit)."""
    from supergraph.runtime.limits import OperationLimits

    try:
        limits = OperationLimits(depth, height, roots, aliases, warn)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--max-depth/--max-height/...") from e
    if warn and not limits.enabled:
        raise typer.BadParameter("needs a --max-* limit", param_hint="--limits-warn-only")
    return limits if limits.enabled else None


def _batching(enabled: bool, max_size: int | None) -> Any:
    """The `Batching` settings the options ask for, or None (batching off)."""
    from supergraph.runtime.batching import DEFAULT_MAX_SIZE, Batching

    if not enabled:
        if max_size is not None:
            raise typer.BadParameter("needs --batching", param_hint="--max-batch-size")
        return None
    try:
        return Batching(DEFAULT_MAX_SIZE if max_size is None else max_size)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--max-batch-size") from e


def _with_bus(inner: Any, bus: Transport) -> Any:
    """Start the Kafka transport before the gateway's event feed, stop it after."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        await bus.start()
        try:
            async with inner(app):
                yield
        finally:
            await bus.stop()

    return lifespan


def _subgraph_identity(settings: Any) -> Any:
    """The key the gateway signs its subgraph calls with (`subgraph_identity.py`):
    POS_GATEWAY_IDENTITY_KEY (a private Ed25519 JWK file), else the development default
    under the data dir, made on first start. The public JWKS is written beside it, where
    `pos serve` looks by default (POS_GATEWAY_IDENTITY_JWKS)."""
    from supergraph.runtime.subgraph_identity import IdentitySigner, jwks_path_for

    path = settings.identity_key_path
    try:
        if settings.gateway_identity_key is not None:
            signer = IdentitySigner.from_file(path)
            try:
                signer.write_jwks(jwks_path_for(path))
            except OSError as e:
                typer.echo(f"  gateway identity: cannot write the public JWKS: {e}", err=True)
        else:
            signer, created = IdentitySigner.load_or_create(path)
            made = "generated" if created else "using"
            typer.echo(
                f"  gateway identity: DEV DEFAULT key, {made} {path} (mode 0600); set "
                "POS_GATEWAY_IDENTITY_KEY in production",
                err=True,
            )
    except (OSError, ValueError) as e:
        typer.echo(f"error: cannot use the gateway identity key {path}: {e}", err=True)
        raise typer.Exit(2) from e
    typer.echo(f"  gateway identity JWKS: {jwks_path_for(path)}", err=True)
    return signer

"""`pos run`: the embedded default, the whole product in ONE process on one port.

Every context is mounted by `subgraphs.hosting.create_host_app` at
`/subgraphs/<name>/graphql` over one set of embedded services (SQLite event store,
in-process bus with the relay as a task, SecantusDB read store), and the gateway serves
the committed supergraph at `/graphql` (GraphiQL on GET with Accept text/html) and the web
app (`web/`) at `/`.

The gateway reaches the subgraphs through in-process ASGI transports (`httpx.ASGITransport`
on the host app itself): no loopback sockets, no second port, and the subgraph URLs in
the supergraph are replaced by `http://embedded.pos/subgraphs/<name>/graphql`, a host name
that only the in-process transport answers. On start the demo data set is loaded through
the seed (`subgraphs.seed`), which skips what already exists, so a restart writes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import httpx
import typer
from starlette.applications import Starlette

from pos.settings import Settings

if TYPE_CHECKING:
    from subgraphs.staff import StaffIdentity
    from supergraph.runtime.fetching.subgraph_identity import IdentitySigner
    from supergraph.runtime.plugins.authentication import JwtAuthenticator, TrustedIssuer
    from supergraph.runtime.plugins.trusted_documents import TrustedDocuments

log = logging.getLogger(__name__)

DEFAULT_PORT = 4000
EMBEDDED_ORIGIN = "http://embedded.pos"
SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


class _LateApp:
    """An ASGI app bound after construction: the gateway's transport targets the host app
    that the gateway's own routes are part of."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        assert self.app is not None, "the embedded host app is not bound yet"
        await self.app(scope, receive, send)


def embedded_subgraph_urls(names: list[str]) -> dict[str, str]:
    """Where the embedded gateway sends each subgraph's requests (in-process only)."""
    from subgraphs.hosting.host import subgraph_path

    return {name: f"{EMBEDDED_ORIGIN}{subgraph_path(name)}" for name in names}


EXAMPLE_QUERY = """# The POS graph, through the federated gateway.
# 1. Sign in: run SignIn below, copy its accessToken, and paste into the Headers tab:
#      {"Authorization": "Bearer <accessToken>"}
#    Demo staff (DEV DEFAULTS, printed by `pos run`): admin, manager, supervisor and
#    cashier, each with the password <name>-demo-pass. Without a token you see the public
#    catalog only; personal and financial fields answer UNAUTHORIZED_FIELD_OR_TYPE.
# 2. Run RecentOrders: each order joins ordering -> customers -> catalog -> inventory.
mutation SignIn {
  signIn(input: { username: "manager", password: "manager-demo-pass" }) {
    accessToken
    expiresAt
    staff { displayName roles }
  }
}

query RecentOrders {
  orders(first: 5, orderBy: NUMBER_DESC) {
    totalCount
    edges {
      node {
        number
        status
        total { amount currency }
        placedBy { displayName }
        customer { name email }
        lines {
          quantity
          product { name sku available }
        }
      }
    }
  }
}

# Live: subscribe, then pay or ship the order from another tab.
# subscription { orderStatusChanged(orderId: "<an order id>") { status customer { name } } }
"""


def staff_authenticator(
    staff: StaffIdentity, others: Sequence[TrustedIssuer] = ()
) -> JwtAuthenticator:
    """The gateway's authenticator: the staff context's tokens (its JWKS read in process)
    and any `others` (an OIDC provider, see SECURITY.md)."""
    from supergraph.runtime.plugins.authentication import (
        JwksSource,
        JwtAuthenticator,
        TrustedIssuer,
    )

    own = TrustedIssuer(
        JwksSource.in_memory("staff", staff.jwks), issuer=staff.issuer, audience=staff.audience
    )
    return JwtAuthenticator(issuers=[own, *others])


def _app_documents() -> TrustedDocuments | None:
    """The web app's operations as trusted documents, in `allow` mode: the app sends them
    by id, and GraphiQL, scripts and tests still send any document (the local demo; a
    production `pos gateway --app` enforces the list, docs/app.md). None when the app is
    not built (then it is not served either)."""
    from supergraph.runtime.plugins.trusted_documents import TrustedDocuments
    from web import WebAppNotBuilt, app_trusted_documents

    try:
        return TrustedDocuments.from_files([app_trusted_documents()], "allow")
    except WebAppNotBuilt:
        return None


def build_embedded_app(
    data_dir: Path | str | None = None,
    *,
    seed: bool = True,
    supergraph_sdl: str | None = None,
    on_ready: Callable[[str], None] | None = None,
    subgraph_identity: IdentitySigner | None = None,
    trusted_issuers: Sequence[TrustedIssuer] = (),
) -> Starlette:
    """The whole POS as one ASGI app (its lifespan starts everything and seeds).

    `on_ready` gets the seed's message once the data is loaded (or "seed skipped").
    `subgraph_identity` is the key the gateway signs its subgraph calls with (a fresh
    in-memory one by default); another gateway given the same key can call the subgraphs.
    The gateway trusts the staff context's tokens (keys under `<data dir>/keys`, read in
    process) and any `trusted_issuers` besides (an OIDC provider, see SECURITY.md).
    """
    from subgraphs import CONTEXTS
    from subgraphs.hosting.host import create_host_app
    from subgraphs.hosting.identity import IdentityVerifier
    from subgraphs.hosting.services import build_services
    from subgraphs.staff import STAFF
    from supergraph.runtime import create_app
    from supergraph.runtime.fetching.subgraph_identity import IdentitySigner

    sdl = supergraph_sdl if supergraph_sdl is not None else SUPERGRAPH.read_text()
    names = list(CONTEXTS)
    urls = embedded_subgraph_urls(names)
    target = _LateApp()
    transport = httpx.ASGITransport(app=target)
    services = build_services("embedded", data_dir=data_dir)
    root = Path(data_dir or Settings.from_env().data_dir / "embedded").resolve()
    staff = STAFF.configure(keys_dir=root / "keys")
    authenticator = staff_authenticator(staff, trusted_issuers)
    # the gateway signs each subgraph call with a key made now, in memory only; the
    # subgraphs in this process verify with its public half (no key files)
    signer = subgraph_identity or IdentitySigner.generate()
    services.gateway_identity = IdentityVerifier.from_jwks(signer.public_jwks(), "embedded")
    gateway_app = create_app(
        sdl,
        subgraph_urls=urls,
        transports={url: transport for url in urls.values()},
        # Live subscriptions read the same in-process bus the relay publishes to.
        event_transport=services.transport,
        example_query=EXAMPLE_QUERY,
        subgraph_identity=signer,
        authenticator=authenticator,
        profile="development",  # introspection, GraphiQL, error details (README "Policies")
        trusted_documents=_app_documents(),
    )
    from web import app_routes

    host = create_host_app(
        services,
        list(CONTEXTS.values()),
        # the web app last: its page route answers every path no other route owns
        routes=[STAFF.jwks_route(), *gateway_app.routes, *app_routes()],
    )
    target.app = host
    host.state.gateway = gateway_app.state.gateway
    host.state.subscriptions = gateway_app.state.subscriptions
    host.state.services = services
    host_lifespan = host.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Mounted routes get no lifespan of their own: run the gateway's (its event
        # feed) inside the host's, once the bus is started.
        async with host_lifespan(app), gateway_app.router.lifespan_context(gateway_app):
            message = "seed skipped"
            if seed:
                from pos.commands.seed import load_demo

                report = await load_demo(services, names)
                message = report.message
            if on_ready is not None:
                on_ready(message)
            yield

    host.router.lifespan_context = lifespan
    return host


def demo_staff_notice() -> str:
    """The demo sign-ins the seed creates: DEV DEFAULTS, printed so a newcomer can sign in."""
    from subgraphs.staff import DEMO_STAFF

    lines = ["Demo staff (DEV DEFAULTS; change or deactivate them before real use):"]
    lines += [
        f"  {d.username:<11} password {d.password:<21} PIN {d.pin}  ({d.role})" for d in DEMO_STAFF
    ]
    return "\n".join(lines)


async def serve_embedded(
    host: str, port: int, data_dir: Path, *, seed: bool, log_level: str = "warning"
) -> None:
    """Run the embedded app under uvicorn; print the URL once it accepts connections."""
    import uvicorn

    app = build_embedded_app(data_dir, seed=seed, on_ready=lambda m: typer.echo(f"Demo data: {m}"))
    config = uvicorn.Config(
        app, host=host, port=port, log_level=log_level, lifespan="on", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.05)
    if server.started:
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        if seed:
            typer.echo(demo_staff_notice())
        typer.echo(f"POS app (till, back office, reports): http://{shown}:{port}/", color=False)
        typer.echo(f"POS is running: GraphiQL at http://{shown}:{port}/graphql", color=False)
    await task
    if not server.started:
        raise typer.Exit(1)


def run(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(
        None, help=f"Port (default: POS_PORT or {DEFAULT_PORT}).", show_default=False
    ),
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Where events and read models live (default: $POS_DATA_DIR/embedded).",
            show_default=False,
        ),
    ] = None,
    seed: bool = typer.Option(True, help="Load the demo data on start (skips what exists)."),
    log_level: str = typer.Option("warning", help="uvicorn log level."),
) -> None:
    """Run all of POS in one process: subgraphs, gateway, web app and GraphiQL on one port."""
    chosen_port = port or int(os.environ.get("POS_PORT", DEFAULT_PORT))
    root = data_dir or Settings.from_env().data_dir / "embedded"
    logging.basicConfig(level=logging.WARNING)
    from pos.trace_export import configure_tracing

    configure_tracing("pos")  # POS_OTLP_ENDPOINT; docs/observability.md
    # uvicorn re-raises the Ctrl-C it handled once everything has shut down.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_embedded(host, chosen_port, root, seed=seed, log_level=log_level))
    typer.echo("POS stopped.")
    # Everything is closed now. What is left is the interpreter's exit-time garbage
    # collections over the whole heap (0.8 s of an idle Ctrl-C here); they free nothing
    # that matters to a process about to end, so skip them (exit handlers still run).
    gc.disable()
    gc.freeze()

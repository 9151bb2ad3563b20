"""`pos serve <context>`: one subgraph as its own HTTP process."""

from __future__ import annotations

import typer


def serve(
    context: str = typer.Argument(
        ..., help="The bounded context to serve (customers, catalog, ...; a wrong name lists all)."
    ),
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(
        None,
        help="Port (default: the context's own: catalog 4001, customers 4002, ...).",
    ),
    mode: str = typer.Option("services", help="services (Kafka, PostgreSQL, MongoDB) or embedded"),
    relay: bool = typer.Option(False, help="Also run the outbox relay in this process."),
) -> None:
    """Serve one context's subgraph (`/graphql`, `/health`, `/ready`) until interrupted."""
    from subgraphs import CONTEXTS
    from subgraphs.hosting.serve import serve as serve_context

    if context not in CONTEXTS:
        raise typer.BadParameter(f"unknown context {context!r}: one of {', '.join(CONTEXTS)}")
    serve_context(context, host, port, mode, relay=relay or None)  # type: ignore[arg-type]

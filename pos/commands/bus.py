"""`pos relay`, `pos project`, `pos rebuild`: the event bus's processes."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import typer

from pos.settings import Settings


def relay(
    store_url: str = typer.Option(None, help="Event store URL (default: POS_PG_URL)."),
    kafka: str = typer.Option(None, help="Kafka bootstrap (default: POS_KAFKA_BOOTSTRAP)."),
    batch_size: int = typer.Option(500, help="Outbox rows per drain."),
    metrics_port: int = typer.Option(
        None, help="Serve Prometheus /metrics on 127.0.0.1 at this port (docs/observability.md)."
    ),
) -> None:
    """Drain the outbox to Kafka; run several for failover: one drains, the rest stand by."""
    from eventbus.relay import run_relay
    from pos.trace_export import configure_tracing

    settings = Settings.from_env()
    configure_tracing("pos-relay")  # POS_OTLP_ENDPOINT; docs/observability.md
    asyncio.run(
        run_relay(
            store_url or settings.pg_url,
            kafka or settings.kafka_bootstrap,
            batch_size=batch_size,
            metrics_port=metrics_port,
        )
    )


def project(
    context: str = typer.Argument(..., help="Context whose projections and reactors to run."),
    metrics_port: int = typer.Option(
        None, help="Serve Prometheus /metrics on 127.0.0.1 at this port (docs/observability.md)."
    ),
) -> None:
    """Run one context's projection runners and saga reactors (services mode) until stopped."""
    from subgraphs import CONTEXTS
    from subgraphs.hosting.running import start_context, stop_context
    from subgraphs.hosting.services import build_services

    module = CONTEXTS.get(context)
    if module is None:
        raise typer.BadParameter(f"unknown context {context!r}: one of {', '.join(CONTEXTS)}")

    from pos.trace_export import configure_tracing

    configure_tracing(f"pos-project-{context}")  # POS_OTLP_ENDPOINT; docs/observability.md

    async def main() -> None:
        services = build_services("services", context=context)
        await services.start()
        view = services.for_context(context)
        await start_context(module, view)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        typer.echo(f"projecting {context}; Ctrl-C to stop")
        async with contextlib.AsyncExitStack() as serving:
            if metrics_port is not None:  # eventbus/metrics.py
                from eventbus.metrics import BusMetrics, metrics_server

                outbox = getattr(services.store, "outbox", None)
                bus = BusMetrics(outbox=outbox, runners=lambda: view.runners)
                await serving.enter_async_context(metrics_server(bus, metrics_port))
            await stop.wait()
        await stop_context(view)
        await services.stop()

    asyncio.run(main())


def rebuild(
    projection: str = typer.Argument(..., help="Projection name (see `pos rebuild --list`)."),
    mode: str = typer.Option("services", help="embedded or services"),
) -> None:
    """Drop one read model and replay it from the event store."""
    from subgraphs.hosting.rebuild import projection_names, rebuild_projection
    from subgraphs.hosting.services import build_services

    async def main() -> int:
        services = build_services(mode, relay=False)  # type: ignore[arg-type]
        try:
            names = projection_names(services)
            if projection not in names:
                typer.echo(f"unknown projection {projection!r}; known: {', '.join(sorted(names))}")
                return 2
            report = await rebuild_projection(projection, services)
            typer.echo(f"rebuilt {projection}: {report}")
            return 0
        finally:
            await services.stop()

    raise typer.Exit(asyncio.run(main()))

"""The `pos` command: one Typer app; each command group lives in pos/commands/<group>.py."""

from __future__ import annotations

import os

import typer

from pos.commands import bus, compose, customers, dlq, gateway, infra, run, seed, staff, subgraph

app = typer.Typer(
    name="pos", help="POS: event-sourced point-of-sale backend.", no_args_is_help=True
)


@app.callback()
def _observability(
    log_format: str = typer.Option(
        None, help="text or json lines, for every command (default: POS_LOG_FORMAT, else text)."
    ),
    access_log: bool = typer.Option(
        None,
        "--access-log/--no-access-log",
        help="A log line per HTTP request (default on; POS_ACCESS_LOG=off).",
    ),
) -> None:
    """Logging for whichever command runs (docs/observability.md)."""
    from pos.logging_json import ACCESS_ENV, FORMAT_ENV, configure_logging

    try:
        chosen = configure_logging(log_format, access_log=access_log)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--log-format") from None
    # for the processes a command starts (gateway workers): they read the environment
    os.environ[FORMAT_ENV] = chosen
    if access_log is not None:
        os.environ[ACCESS_ENV] = "on" if access_log else "off"


app.add_typer(infra.app, name="infra")
app.add_typer(staff.app, name="staff")
app.add_typer(dlq.app, name="dlq")
app.command()(bus.relay)
app.command()(bus.project)
app.command()(bus.rebuild)
app.command()(subgraph.serve)
app.command()(run.run)
app.command()(seed.seed)
app.command()(customers.claim_emails)
app.command()(compose.compose)
app.command()(gateway.gateway)

if __name__ == "__main__":
    app()

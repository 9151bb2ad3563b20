"""`pos infra ...`: install, start, stop and inspect the local services."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from pos.infra import NAMES, InfraError, ServiceStatus, down, log_tail, status, up

app = typer.Typer(help="Local Kafka, PostgreSQL, MongoDB-wire and Redis services (no Docker).")

Names = Annotated[
    list[str] | None,
    typer.Argument(
        help=f"Services to act on: {', '.join(NAMES)} (default: all).", show_default=False
    ),
]


def _print(statuses: dict[str, ServiceStatus]) -> None:
    for name in NAMES:
        if name not in statuses:
            continue
        s = statuses[name]
        health = "healthy" if s.healthy else "DOWN"
        pid = f"pid {s.pid}" if s.pid else "-"
        typer.echo(f"{name:<9} {s.address:<16} {health:<8} {pid:<10} {s.detail}")


@app.command("up")
def up_command(names: Names = None) -> None:
    """Install if needed, start, and wait until healthy. Safe to repeat."""
    started = time.monotonic()
    try:
        statuses = up(names or None)
    except InfraError as exc:
        typer.echo(f"pos infra up failed:\n{exc}", err=True)
        raise typer.Exit(1) from exc
    _print(statuses)
    typer.echo(f"up in {time.monotonic() - started:.1f}s")


@app.command("down")
def down_command(names: Names = None) -> None:
    """Stop the services that `pos infra up` started (others are left alone)."""
    try:
        stopped = down(names or None)
    except InfraError as exc:
        typer.echo(f"pos infra down failed:\n{exc}", err=True)
        raise typer.Exit(1) from exc
    for name, was_running in stopped.items():
        typer.echo(f"{name:<9} {'stopped' if was_running else 'was not running (ours)'}")


@app.command("status")
def status_command(
    check: Annotated[bool, typer.Option(help="Exit with code 3 if any service is down.")] = False,
) -> None:
    """Health of each service at its configured address."""
    statuses = status()
    _print(statuses)
    if check and not all(s.healthy for s in statuses.values()):
        raise typer.Exit(3)


@app.command("logs")
def logs_command(
    names: Names = None,
    lines: Annotated[int, typer.Option(help="Lines from the end of each log.")] = 80,
) -> None:
    """The end of each service's log files."""
    for name in names or NAMES:
        try:
            typer.echo(log_tail(name, lines=lines))
        except InfraError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from exc

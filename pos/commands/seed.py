"""`pos seed`: load the demo data set through the contexts' commands.

The seed (`subgraphs.seed`) skips what exists, so running it twice writes nothing.

- ``embedded``: opens the data directory of `pos run` (stop `pos run` first: the SQLite
  store and the embedded read store belong to one process), starts every context so the
  saga reactors answer the seeded orders, seeds, and stops.
- ``services``: appends to the PostgreSQL event store at POS_PG_URL; the relay and the
  inventory/ordering reactors must be running (`pos relay`, `pos serve`/`pos project`),
  since the seed waits for the saga to answer its orders.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from pos.commands import EmbeddedDataDir, StoreMode

if TYPE_CHECKING:
    from subgraphs.hosting.services import ContextServices
    from subgraphs.seed import SeedReport


async def load_demo(
    services: ContextServices, names: Sequence[str], *, saga_timeout: float = 60.0
) -> SeedReport:
    """Seed through `services` (started); the contexts in `names` share its store."""
    from subgraphs.seed import seed

    return await seed(
        {name: services.for_context(name) for name in names}, saga_timeout=saga_timeout
    )


async def seed_embedded(data_dir: Path | None) -> SeedReport:
    from subgraphs import CONTEXTS
    from subgraphs.hosting.running import start_context, stop_context
    from subgraphs.hosting.services import build_services

    services = build_services("embedded", data_dir=data_dir)
    await services.start()
    views = [(context, services.for_context(context.name)) for context in CONTEXTS.values()]
    started = []
    try:
        for context, view in views:
            await start_context(context, view)
            started.append(view)
        return await load_demo(services, list(CONTEXTS))
    finally:
        for view in reversed(started):
            await stop_context(view)
        await services.stop()


async def seed_services() -> SeedReport:
    from subgraphs import CONTEXTS
    from subgraphs.hosting.services import build_services

    services = build_services("services", context="seed")
    await services.start()
    try:
        return await load_demo(services, list(CONTEXTS))
    finally:
        await services.stop()


def seed(
    mode: StoreMode = "embedded",
    data_dir: EmbeddedDataDir = None,
) -> None:
    """Load the demo shop (categories, ~50 products, customers, orders, stores, a few
    days of sales at the registers); idempotent."""
    from subgraphs.seed import SeedError, summary

    try:
        if mode == "embedded":
            report = asyncio.run(seed_embedded(data_dir))
        elif mode == "services":
            report = asyncio.run(seed_services())
        else:
            raise typer.BadParameter(f"unknown mode {mode!r}: embedded or services")
    except SeedError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    typer.echo(json.dumps(summary(report), indent=2))

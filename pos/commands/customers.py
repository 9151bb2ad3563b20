"""`pos claim-emails`: the customers context's one-off backfill of the email guard.

Event stores written before the unique-email guard existed hold customers without a claim
on their email, so a newcomer could register with it. This runs
`claim_existing_emails` against the store once; it reads the whole event log, which is
why it is a command an operator runs and not part of every start. Running it again
changes nothing. It only appends to the event store (and its outbox), so no relay,
projection or read store is needed while it runs.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from pos.commands import EmbeddedDataDir, StoreMode

if TYPE_CHECKING:
    from subgraphs.customers.application import BackfillReport


async def backfill(store_url: str) -> BackfillReport:
    from eventbus.sqlstore import SqlEventStore
    from subgraphs.customers.application import claim_existing_emails

    store = SqlEventStore(store_url)
    await store.start()
    try:
        return await claim_existing_emails(store)
    finally:
        await store.close()


def claim_emails(
    mode: StoreMode = "embedded",
    data_dir: EmbeddedDataDir = None,
) -> None:
    """Give customers registered before the unique-email guard their claim; idempotent.

    Prints the emails claimed now and those several customers already share (left as
    they are, for a person to resolve). Embedded: stop `pos run` first.
    """
    from pos.settings import Settings

    settings = Settings.from_env()
    if mode == "embedded":
        events = Path(data_dir or settings.data_dir / "embedded").resolve() / "events.db"
        if not events.is_file():
            typer.echo(
                f"error: no event store at {events}: pass the `pos run` --data-dir", err=True
            )
            raise typer.Exit(2)
        url = f"sqlite+aiosqlite:///{events}"
    elif mode == "services":
        url = settings.pg_url
    else:
        raise typer.BadParameter(f"unknown mode {mode!r}: embedded or services")
    report = asyncio.run(backfill(url))
    typer.echo(json.dumps({"claimed": report.claimed, "shared": report.shared}, indent=2))
    if report.shared:
        typer.echo(
            f"{len(report.shared)} email(s) are held by more than one customer: the ids "
            "under `shared` hold theirs without the guard's claim; change their emails by hand",
            err=True,
        )

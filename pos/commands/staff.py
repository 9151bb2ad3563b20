"""`pos staff ...`: the staff context's operator commands.

- `create-admin`: hire an ADMIN straight into the event store (the first member of a
  real shop; the demo staff are only for `pos run`). Without `--prompt` it generates a
  password and a PIN and prints them once. Only appends to the store (and its outbox);
  the staff list shows the member once the relay and projection run (`pos run` replays
  at start). Embedded: stop `pos run` first.
- `rotate-keys`: a new token signing key; the previous one keeps verifying until the
  tokens it signed have expired. Safe while services run (they re-read the key file).
"""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Annotated

import typer

from pos.commands import EmbeddedDataDir, StoreMode

app = typer.Typer(help="Staff identity: the first admin, token signing keys.")

KeysDir = Annotated[
    Path | None,
    typer.Option(
        help="Signing keys directory (default: POS_STAFF_KEYS_DIR or $POS_DATA_DIR/keys).",
        show_default=False,
    ),
]


def _store_url(mode: str, data_dir: Path | None) -> str:
    from pos.settings import Settings

    settings = Settings.from_env()
    if mode == "embedded":
        root = Path(data_dir or settings.data_dir / "embedded").resolve()
        root.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{root / 'events.db'}"
    if mode == "services":
        return settings.pg_url
    raise typer.BadParameter(f"unknown mode {mode!r}: embedded or services")


async def _create_admin(
    store_url: str, username: str, display_name: str, password: str, pin: str
) -> str:
    from eventbus.sqlstore import SqlEventStore
    from subgraphs.hosting.commands import execute
    from subgraphs.staff.application import HireStaff, StaffHandlers
    from subgraphs.staff.security import Argon2Hasher

    store = SqlEventStore(store_url)
    await store.start()
    try:
        handlers = StaffHandlers(store, Argon2Hasher())
        executed = await execute(
            handlers.hire,
            HireStaff(
                username=username,
                display_name=display_name,
                roles=["ADMIN"],
                password=password,
                pin=pin,
            ),
        )
        return executed.value.id
    finally:
        await store.close()


def _generated_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(6))


@app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="Sign-in name (3-32 characters).")],
    display_name: Annotated[
        str | None, typer.Option(help="Shown name (default: the username).", show_default=False)
    ] = None,
    prompt: Annotated[
        bool, typer.Option(help="Ask for the password and PIN instead of generating them.")
    ] = False,
    mode: StoreMode = "embedded",
    data_dir: EmbeddedDataDir = None,
) -> None:
    """Hire an ADMIN; prints the generated password and PIN once (unless --prompt)."""
    from eventbus import DomainError

    if prompt:
        password = typer.prompt(
            "Password (10+ characters)", hide_input=True, confirmation_prompt=True
        )
        pin = typer.prompt("PIN (4-8 digits)", hide_input=True, confirmation_prompt=True)
    else:
        password, pin = secrets.token_urlsafe(15), _generated_pin()
    try:
        staff_id = asyncio.run(
            _create_admin(
                _store_url(mode, data_dir), username, display_name or username, password, pin
            )
        )
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"created ADMIN {username.strip().lower()} (id {staff_id})")
    if not prompt:
        typer.echo(f"password: {password}")
        typer.echo(f"PIN:      {pin}")
        typer.echo("Shown once: write them down now; change the password after signing in.")


@app.command("rotate-keys")
def rotate_keys(keys_dir: KeysDir = None) -> None:
    """Sign new staff tokens with a new key; the old one verifies until its tokens expire."""
    from subgraphs.staff.security import StaffIdentity

    identity = StaffIdentity(keys_dir) if keys_dir is not None else StaffIdentity.from_env()
    kid = identity.rotate_keys()
    kids = [key["kid"] for key in identity.jwks()["keys"]]
    typer.echo(f"new signing key {kid} in {identity.keyring.path}")
    typer.echo(f"published keys: {', '.join(kids)}")

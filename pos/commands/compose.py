"""`pos compose`: subgraph SDLs (listed in a TOML config) -> a Federation 2 supergraph SDL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pos.commands.gateway import DEFAULT_SUPERGRAPH

DEFAULT_CONFIG = Path("supergraph.toml")


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

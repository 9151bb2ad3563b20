"""`pos gateway --config FILE`: the command's parameters with the file's settings filled
in where the command line left an option at its default, at start (`with_config`) and
again on SIGHUP (`config_reloader`, applied by `gateway_reload.py`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

CONFIG_META = "pos.gateway.config"
"""Where `with_config` leaves the config file and the parameters it made (`ctx.meta`)."""


def config_reloader(ctx: typer.Context) -> Any:
    """With --config FILE: a function that re-reads it on SIGHUP (gateway_reload.py)."""
    found = ctx.meta.get(CONFIG_META) if ctx is not None else None  # None: a --workers process
    if found is None:
        return None
    from pos.commands.gateway_reload import reloader

    config, started = found
    return reloader(started, lambda: with_config(ctx, config, False) or {})


def with_config(
    ctx: typer.Context, config: Path | None, validate_only: bool
) -> dict[str, Any] | None:
    """The command's parameters with `config`'s settings filled in (None: only checked)."""
    from pos.gateway_config import ConfigError, load

    if config is None:
        raise typer.BadParameter("needs --config FILE", param_hint="--validate-config")
    try:
        loaded = load(config)
    except ConfigError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e
    params = dict(ctx.params)
    for name, value in loaded.flags().items():
        source = ctx.get_parameter_source(name)  # by name: typer may bundle its own click
        if source is None or source.name in ("DEFAULT", "DEFAULT_MAP"):
            params[name] = value
    params.update(config=None, validate_config=False, print_config_schema=False)
    ctx.meta[CONFIG_META] = (config, params)  # re-read on SIGHUP: config_reloader
    if validate_only:
        source = params.get("supergraph_url") or params["supergraph"]
        try:
            from supergraph.runtime import load_supergraph
            from supergraph.runtime.server.supergraph_url import fetch_now

            url = params.get("supergraph_url")
            text = fetch_now(url).sdl if url else Path(params["supergraph"]).read_text()
            load_supergraph(text)
        except Exception as e:  # any reason the supergraph cannot be served
            typer.echo(f"error: supergraph {source}: {e}", err=True)
            raise typer.Exit(2) from e
        typer.echo(f"{config}: ok ({len(loaded.flags())} settings)", err=True)
        return None
    return params

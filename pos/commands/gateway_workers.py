"""The app each `pos gateway --workers N` process serves.

uvicorn's supervisor starts N processes that share the listening socket (the kernel
spreads connections over them) and imports `create_worker_app` in each. It builds the
gateway from the options the supervisor was given (`POS_GATEWAY_WORKER_OPTIONS`), exactly
as a single `pos gateway` would, so every worker is a whole gateway: its own plan cache,
APQ store, connections, rate limits and event feed (a consumer group of its own, so each
worker's subscribers get every event).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import typer

WORKER_ENV = "POS_GATEWAY_WORKER_OPTIONS"
"""The options a `--workers` supervisor hands its worker processes (JSON)."""


def run_workers(options: dict[str, Any]) -> None:
    """Serve with `workers` processes on one socket (uvicorn's supervisor)."""
    import uvicorn

    options = {k: v for k, v in options.items() if k != "ctx"}
    count = int(options.pop("workers"))
    encoded = json.dumps(options, default=lambda v: str(v) if isinstance(v, Path) else repr(v))
    os.environ[WORKER_ENV] = encoded
    host, port = options["host"], options["port"]
    typer.echo(f"Gateway at http://{host}:{port}/graphql ({count} workers)", err=True)
    sys.stdout.flush()
    uvicorn.run(
        "pos.commands.gateway_workers:create_worker_app",
        factory=True,
        workers=count,
        host=host,
        port=port,
        log_level=options["log_level"],
        lifespan="on",
        ws="websockets-sansio",
    )


_PATHS = ("supergraph",)
_PATH_LISTS = ("trusted_documents",)


def create_worker_app() -> Any:
    from pos.commands.gateway import gateway  # the command imports this module

    options: dict[str, Any] = json.loads(os.environ[WORKER_ENV])
    for name in _PATHS:
        if options.get(name) is not None:
            options[name] = Path(options[name])
    for name in _PATH_LISTS:
        if options.get(name):
            options[name] = [Path(p) for p in options[name]]
    return gateway(None, **options, workers=1)  # type: ignore[arg-type]

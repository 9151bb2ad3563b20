"""`pos serve <context>`: one subgraph as its own HTTP process (uvicorn)."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from pos.trace_export import configure_tracing
from subgraphs.hosting.services import Mode, build_services

DEFAULT_PORTS: dict[str, int] = {
    "catalog": 4001,
    "customers": 4002,
    "inventory": 4003,
    "ordering": 4004,
    "reporting": 4005,
    "staff": 4006,
    "stores": 4007,
    "sales": 4008,
}


def serve(
    context_name: str,
    host: str = "127.0.0.1",
    port: int | None = None,
    mode: Mode = "services",
    *,
    data_dir: Path | str | None = None,
    relay: bool | None = None,
    log_level: str = "info",
) -> None:
    """Serve one context's subgraph until interrupted.

    In ``services`` mode the relay is expected to run as its own process (pass
    `relay=True` to run it here instead, in exactly one process per store). In
    ``embedded`` mode the context keeps its own SQLite store, in-process bus and read
    store under `data_dir` (default ``var/embedded/<context>``); to run every context in
    one process, use the embedded host instead.
    """
    from subgraphs import CONTEXTS

    context = CONTEXTS.get(context_name)
    if context is None:
        known = ", ".join(sorted(CONTEXTS))
        raise ValueError(f"unknown context {context_name!r}: choose one of {known}")
    if mode == "embedded" and data_dir is None:
        data_dir = Path("var") / "embedded" / context_name
    services = build_services(mode, context=context_name, data_dir=data_dir, relay=relay)
    app = context.build_app(services)
    configure_tracing(f"pos-{context_name}")  # POS_OTLP_ENDPOINT; docs/observability.md
    uvicorn.run(
        app,
        host=host,
        port=port or DEFAULT_PORTS.get(context_name, 4000),
        log_level=log_level,
        lifespan="on",
    )

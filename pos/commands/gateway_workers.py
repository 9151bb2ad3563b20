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
from pathlib import Path
from typing import Any

from pos.commands.gateway import WORKER_ENV, gateway

_PATHS = ("supergraph",)
_PATH_LISTS = ("trusted_documents",)


def create_worker_app() -> Any:
    options: dict[str, Any] = json.loads(os.environ[WORKER_ENV])
    for name in _PATHS:
        if options.get(name) is not None:
            options[name] = Path(options[name])
    for name in _PATH_LISTS:
        if options.get(name):
            options[name] = [Path(p) for p in options[name]]
    return gateway(None, **options, workers=1)  # type: ignore[arg-type]

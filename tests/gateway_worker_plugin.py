"""A plugin for tests/supergraph/runtime/test_gateway_workers.py: which process answered."""

from __future__ import annotations

import os

from supergraph.runtime.plugins.api import Body, Plugin, SupergraphRequest


class WorkerPid(Plugin):
    name = "worker-pid"

    async def supergraph_response(self, request: SupergraphRequest, body: Body) -> Body:
        body.setdefault("extensions", {})["pid"] = os.getpid()
        return body

"""Calling the staff subgraph app as someone: the identity the gateway would forward.

Subgraphs learn the caller from the gateway (`info.context["identity"]`). When the test
suite has the gateway-identity helpers (`tests.gateway_identity`), calls carry a signed
gateway identity for the given claims; otherwise the claims are put where the staff
subgraph's accessor reads them (the ASGI scope's state), as in-process middleware would.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

Claims = Mapping[str, Any] | None


class _AsCaller:
    def __init__(self, app: ASGIApp, claims: Claims) -> None:
        self.app = app
        self.claims = claims

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope.setdefault("state", {})["identity"] = (
                dict(self.claims) if self.claims is not None else None
            )
        await self.app(scope, receive, send)


def caller_client(app: ASGIApp, claims: Claims) -> httpx.AsyncClient:
    try:
        helpers = importlib.import_module("tests.gateway_identity")
    except ImportError:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=_AsCaller(app, claims)), base_url="http://subgraph"
        )
    client: httpx.AsyncClient = helpers.identity_client(app, claims=claims)
    return client

"""Calling the staff subgraph app as someone: the identity the gateway would forward
(a signed gateway identity for the given claims; None: anonymous)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from starlette.types import ASGIApp

from tests.gateway_identity import identity_client

Claims = Mapping[str, Any] | None


def caller_client(app: ASGIApp, claims: Claims) -> httpx.AsyncClient:
    return identity_client(app, claims=claims)

"""Who is calling the staff subgraph: the verified claims the host put in the request.

The gateway verifies the caller's token and forwards the identity; `subgraphs.hosting`
puts the verified claims at ``info.context["identity"]`` (a dict, or None when
anonymous). Until every host does, the claims may also sit in the ASGI scope's state
(``scope["state"]["identity"]``), which only in-process middleware can set (never a
client header): `BearerIdentity` below does that with our own keys, for a stand-alone
staff subgraph and its tests. Resolvers check scopes here again, so the subgraph refuses
what its SDL says it needs even when called without the gateway.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jwt
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.types import Info

from subgraphs.staff.domain import Forbidden, Unauthenticated
from subgraphs.staff.security.identity import StaffIdentity

Claims = Mapping[str, Any]

SIGN_IN_FIRST = "Sign in first: this needs a staff access token"


def identity_of(info: Info) -> Claims | None:
    """The caller's verified claims, or None for an anonymous call."""
    found: Any = info.context.get("identity")
    if found is None:
        request = info.context.get("request")
        state = getattr(request, "scope", {}).get("state")
        found = state.get("identity") if isinstance(state, Mapping) else None
    claims = getattr(found, "claims", found)  # a hosting `Identity` object, or the dict
    return claims if isinstance(claims, Mapping) else None


def scopes_of(claims: Claims) -> frozenset[str]:
    raw = claims.get("scope")
    if isinstance(raw, str):
        return frozenset(raw.split())
    if isinstance(raw, list):
        return frozenset(s for s in raw if isinstance(s, str))
    return frozenset()


def require_caller(info: Info) -> Claims:
    """The caller's claims; `Unauthenticated` for an anonymous call."""
    claims = identity_of(info)
    if claims is None or not isinstance(claims.get("sub"), str):
        raise Unauthenticated(SIGN_IN_FIRST, reason="anonymous")
    return claims


def require_scope(info: Info, scope: str) -> Claims:
    """The caller's claims if they hold `scope`; `Unauthenticated` / `Forbidden` if not."""
    claims = require_caller(info)
    if scope not in scopes_of(claims):
        raise Forbidden(f"this needs the {scope} scope, which your roles do not grant")
    return claims


class BearerIdentity:
    """ASGI middleware: a valid `Authorization: Bearer` staff token becomes the request's
    identity (``scope["state"]["identity"]``); a missing or invalid one leaves it anonymous
    (the resolvers then refuse what needs a caller)."""

    def __init__(self, app: ASGIApp, identity: StaffIdentity) -> None:
        self.app = app
        self.identity = identity

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            state = scope.setdefault("state", {})
            state["identity"] = self._claims(dict(scope.get("headers") or []))
        await self.app(scope, receive, send)

    def _claims(self, headers: dict[bytes, bytes]) -> dict[str, Any] | None:
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        try:
            return self.identity.verify(token.strip())
        except jwt.InvalidTokenError:
            return None

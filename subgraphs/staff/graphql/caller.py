"""Who is calling the staff subgraph: the verified claims the host put in the request.

The gateway verifies the caller's token and forwards the identity; `subgraphs.hosting`
verifies that and puts the claims at ``info.context["identity"]`` (a dict, or None when
anonymous). Resolvers check scopes here again, so the subgraph refuses what its SDL says
it needs even if the hosting's own check (`subgraphs.hosting.access`) were bypassed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from strawberry.types import Info

from subgraphs.hosting.access import scopes_of
from subgraphs.staff.domain import Forbidden, Unauthenticated

Claims = Mapping[str, Any]

SIGN_IN_FIRST = "Sign in first: this needs a staff access token"


def identity_of(info: Info) -> Claims | None:
    """The caller's verified claims, or None for an anonymous call."""
    found: Any = info.context.get("identity")
    claims = getattr(found, "claims", found)  # a hosting `Identity` object, or the dict
    return claims if isinstance(claims, Mapping) else None


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

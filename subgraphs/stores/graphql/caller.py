"""Who is calling the stores subgraph: the verified claims the host put in the request.

`subgraphs.hosting` verifies the gateway's identity and puts the claims at
``info.context["identity"]`` (None: anonymous). Resolvers check again here what the SDL
says they need, so a call that bypassed the SDL check would still be refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from strawberry.types import Info

from eventbus import DomainError
from subgraphs.hosting.access import scopes_of
from subgraphs.hosting.schema import identity_of_info

Claims = Mapping[str, Any]

MANAGE = "stores:manage"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class Forbidden(DomainError):
    code = "FORBIDDEN"


def require_caller(info: Info) -> Claims:
    """The caller's claims; `Unauthenticated` for an anonymous call."""
    claims = identity_of_info(info)
    if claims is None or not isinstance(claims.get("sub"), str):
        raise Unauthenticated("Sign in first: this needs a staff access token")
    return claims


def require_scope(info: Info, scope: str) -> Claims:
    """The caller's claims if they hold `scope`; `Unauthenticated` / `Forbidden` if not."""
    claims = require_caller(info)
    if scope not in scopes_of(claims):
        raise Forbidden(f"this needs the {scope} scope, which your roles do not grant")
    return claims

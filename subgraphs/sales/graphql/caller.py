"""Who is calling the sales subgraph: the verified claims the host put in the request.

`subgraphs.hosting` verifies the gateway's identity and puts the claims at
``info.context["identity"]`` (None: anonymous). Resolvers check again here what the SDL
says they need, and hand the caller's id and scopes to the commands, whose handlers
decide approvals from them (`discounts:approve`, `sales:void`, `refunds:write`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from strawberry.types import Info

from eventbus import DomainError
from subgraphs.hosting.access import scopes_of
from subgraphs.hosting.schema import identity_of_info
from subgraphs.sales.domain import SaleInputError

Claims = Mapping[str, Any]

WRITE = "sales:write"
READ = "orders:read"
APPROVE = "discounts:approve"
VOID = "sales:void"
REFUNDS = "refunds:write"
REPORTS = "reports:read"
PROMOTIONS = "prices:write"
COMMAND_ID_MAX = 100


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class Forbidden(DomainError):
    code = "FORBIDDEN"


@dataclass(frozen=True)
class Caller:
    staff_id: str
    name: str | None
    scopes: frozenset[str]

    def meta(self, command_id: str) -> dict[str, Any]:
        """The keyword arguments every command takes; `command_id` is the till's
        idempotency key (1-100 characters, e.g. a UUID it generated)."""
        text = command_id.strip()
        if not text or len(text) > COMMAND_ID_MAX:
            raise SaleInputError(
                f"commandId must be 1 to {COMMAND_ID_MAX} characters (e.g. a UUID)",
                reason="INVALID_COMMAND_ID",
                field="commandId",
            )
        return {"command_id": text, "by": self.staff_id, "scopes": self.scopes}


def require_caller(info: Info) -> Caller:
    claims = identity_of_info(info)
    if claims is None or not isinstance(claims.get("sub"), str):
        raise Unauthenticated("Sign in first: this needs a staff access token")
    name = claims.get("name")
    return Caller(claims["sub"], name if isinstance(name, str) else None, scopes_of(claims))


def require_scope(info: Info, scope: str) -> Caller:
    caller = require_caller(info)
    if scope not in caller.scopes:
        raise Forbidden(f"this needs the {scope} scope, which your roles do not grant")
    return caller

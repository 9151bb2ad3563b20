"""Roles and the scopes each one grants: docs/access.md's permission matrix, as data.

A member's scopes are the union of their roles' scopes; the access token's `scope` claim
lists them (space-separated, sorted), as OAuth 2 and `@requiresScopes` read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from eventbus import DomainError


class Role(StrEnum):
    CASHIER = "CASHIER"
    SUPERVISOR = "SUPERVISOR"
    MANAGER = "MANAGER"
    ADMIN = "ADMIN"


_SELL = (
    "sales:write",
    "customers:read",
    "customers:write",
    "orders:read",
    "orders:write",
    "stock:read",
)
_APPROVE = ("discounts:approve", "sales:void", "refunds:write", "stock:receive")
_RUN_THE_SHOP = (
    "stock:adjust",
    "catalog:write",
    "prices:write",
    "reports:read",
    "staff:read",
    "stores:manage",
)

ROLE_SCOPES: dict[Role, frozenset[str]] = {
    Role.CASHIER: frozenset(_SELL),
    Role.SUPERVISOR: frozenset(_SELL + _APPROVE),
    Role.MANAGER: frozenset(_SELL + _APPROVE + _RUN_THE_SHOP),
    Role.ADMIN: frozenset(_SELL + _APPROVE + _RUN_THE_SHOP + ("staff:manage",)),
}

ALL_SCOPES: frozenset[str] = frozenset().union(*ROLE_SCOPES.values())


def scopes_for(roles: Iterable[Role | str]) -> list[str]:
    """The sorted union of the roles' scopes."""
    found: set[str] = set()
    for role in roles:
        found |= ROLE_SCOPES[Role(role)]
    return sorted(found)


def parse_role(value: str, field: str = "role") -> Role:
    try:
        return Role(value.strip().upper())
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise DomainError(
            f"{field} {value[:30]!r} is not a role: use one of {known}", field=field
        ) from None


def parse_roles(values: Iterable[str], field: str = "roles") -> list[Role]:
    """At least one role, each known; duplicates collapse; in the matrix's order."""
    roles = {parse_role(v, field) for v in values}
    if not roles:
        raise DomainError(f"{field} must name at least one role", field=field)
    return [r for r in Role if r in roles]

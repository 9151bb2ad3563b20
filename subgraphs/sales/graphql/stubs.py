"""Entities of other subgraphs a sale points at (`resolvable: false`: only the id)."""

from __future__ import annotations

import strawberry
from strawberry import federation
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

from subgraphs.hosting.history import StaffMember

_STUB = [Key(fields=FieldSet("id"), resolvable=False)]

__all__ = ["Customer", "Product", "Register", "StaffMember", "Store", "staff"]


@federation.type(keys=_STUB)
class Store:
    id: strawberry.ID


@federation.type(keys=_STUB)
class Register:
    id: strawberry.ID


@federation.type(keys=_STUB)
class Customer:
    id: strawberry.ID


@federation.type(keys=_STUB)
class Product:
    id: strawberry.ID


def staff(staff_id: str | None) -> StaffMember | None:
    return StaffMember(id=strawberry.ID(staff_id)) if staff_id else None

"""`stores:manage`: granted to MANAGER and ADMIN by `subgraphs.staff.domain.roles`, as
docs/access.md's permission matrix says, and the only scope the stores SDL asks for."""

from __future__ import annotations

from pathlib import Path

from subgraphs.hosting.access import AccessRules
from subgraphs.staff.domain import ROLE_SCOPES, Role
from subgraphs.stores import STORES
from subgraphs.stores.graphql import MANAGE

ACCESS_MD = Path(__file__).resolve().parents[3] / "docs" / "access.md"
COLUMNS = (Role.CASHIER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN)


def test_managers_and_admins_manage_stores() -> None:
    holders = {role for role, scopes in ROLE_SCOPES.items() if MANAGE in scopes}
    assert holders == {Role.MANAGER, Role.ADMIN}


def test_the_access_matrix_row_matches_the_roles() -> None:
    row = next(
        line for line in ACCESS_MD.read_text().splitlines() if line.startswith(f"| `{MANAGE}`")
    )
    ticks = [cell.strip() == "✓" for cell in row.strip("|").split("|")[2:]]
    assert ticks == [MANAGE in ROLE_SCOPES[role] for role in COLUMNS]


def test_the_sdl_asks_only_for_signed_in_callers_and_stores_manage() -> None:
    rules = AccessRules.from_sdl(STORES.sdl())
    scopes = {s for needs in rules.table.values() for r in needs for a in r.scopes for s in a}
    assert scopes == {MANAGE}

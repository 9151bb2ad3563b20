"""Demo staff for `pos run` and `pos seed`: one member per role.

DEV DEFAULTS: these usernames, passwords and PINs are published in the README so anyone
can try the demo. Never seed them into a real shop; create a real ADMIN with
`pos staff create-admin` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import NAMESPACE_URL, uuid5

from eventbus import EventStore
from subgraphs.hosting.commands import execute
from subgraphs.staff.application.commands import HireStaff
from subgraphs.staff.application.handlers import StaffHandlers
from subgraphs.staff.application.ports import SecretHasher


@dataclass(frozen=True)
class DemoStaff:
    username: str
    display_name: str
    role: str
    password: str
    pin: str


# DEV DEFAULTS, see the module doc.
DEMO_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("admin", "Ada Admin", "ADMIN", "admin-demo-pass", "1234"),
    DemoStaff("manager", "Max Manager", "MANAGER", "manager-demo-pass", "2345"),
    DemoStaff("supervisor", "Sam Supervisor", "SUPERVISOR", "supervisor-demo-pass", "3456"),
    DemoStaff("cashier", "Cas Cashier", "CASHIER", "cashier-demo-pass", "4567"),
)


def demo_staff_id(username: str) -> str:
    """Stable ids, so a second seed finds what the first one made."""
    return str(uuid5(NAMESPACE_URL, f"pos:seed:staff:{username}"))


async def seed_demo_staff(
    target: EventStore | StaffHandlers, *, hasher: SecretHasher | None = None
) -> int:
    """Hire the demo staff that are missing (into `target`, a store or handlers); returns
    how many were hired (0 when all exist). A username someone else holds is left alone."""
    if isinstance(target, StaffHandlers):
        handlers = target
    else:
        from subgraphs.staff.security.hashing import Argon2Hasher

        handlers = StaffHandlers(target, hasher or Argon2Hasher())
    hired = 0
    for demo in DEMO_STAFF:
        if await handlers.member_by_username(demo.username) is not None:
            continue
        await execute(
            handlers.hire,
            HireStaff(
                username=demo.username,
                display_name=demo.display_name,
                roles=[demo.role],
                password=demo.password,
                pin=demo.pin,
                staff_id=demo_staff_id(demo.username),
            ),
        )
        hired += 1
    return hired

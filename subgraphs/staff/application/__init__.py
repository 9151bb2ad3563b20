"""Staff application layer: commands, their handlers, the ports, the demo staff."""

from subgraphs.staff.application.commands import (
    ChangeMyPassword,
    DeactivateStaff,
    GrantRole,
    HireStaff,
    RefreshSession,
    ResetSecret,
    RevokeRole,
    SignIn,
    SignInWithPin,
    SignOut,
)
from subgraphs.staff.application.demo import DEMO_STAFF, DemoStaff, demo_staff_id, seed_demo_staff
from subgraphs.staff.application.handlers import Authenticated, StaffHandlers
from subgraphs.staff.application.ports import Clock, SecretHasher, utcnow

__all__ = [
    "DEMO_STAFF",
    "Authenticated",
    "ChangeMyPassword",
    "Clock",
    "DeactivateStaff",
    "DemoStaff",
    "GrantRole",
    "HireStaff",
    "RefreshSession",
    "ResetSecret",
    "RevokeRole",
    "SecretHasher",
    "SignIn",
    "SignInWithPin",
    "SignOut",
    "StaffHandlers",
    "demo_staff_id",
    "seed_demo_staff",
    "utcnow",
]

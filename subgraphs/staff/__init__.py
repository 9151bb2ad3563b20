"""The staff bounded context: staff identity, sign-in and tokens (Strawberry subgraph).

For hosts: `STAFF` (the ContextModule; `STAFF.identity` is the `StaffIdentity` with
`jwks()`, `issuer`, `audience`), and `seed_demo_staff` for the demo data.
"""

from subgraphs.staff.application import DEMO_STAFF, StaffHandlers, seed_demo_staff
from subgraphs.staff.context import JWKS_PATH, STAFF, StaffContext
from subgraphs.staff.security import AUDIENCE, DEFAULT_ISSUER, StaffIdentity

__all__ = [
    "AUDIENCE",
    "DEFAULT_ISSUER",
    "DEMO_STAFF",
    "JWKS_PATH",
    "STAFF",
    "StaffContext",
    "StaffHandlers",
    "StaffIdentity",
    "seed_demo_staff",
]

"""The admin roster: one stream listing the active ADMINs, so "the last ADMIN cannot lose
ADMIN" holds under concurrency.

Every change to who is an active ADMIN (hire with ADMIN, grant, revoke, deactivate)
appends here in the same unit of work as the member's own event. Two admins revoking
each other at the same moment both expect the roster's current version; the store lets
one through and the other's retry sees a roster of one and is refused.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import NAMESPACE_URL, uuid5

from eventbus import Aggregate, DomainEvent
from subgraphs.staff.domain.events import AdminEnrolled, AdminWithdrawn

ROSTER_ID = str(uuid5(NAMESPACE_URL, "pos:staff:admin-roster"))


class AdminRoster(Aggregate):
    context: ClassVar[str] = "staff"

    def __init__(self, aggregate_id: str = ROSTER_ID) -> None:
        super().__init__(aggregate_id)
        self.admins: set[str] = set()

    def is_last_admin(self, staff_id: str) -> bool:
        return self.admins == {staff_id}

    def enrol(self, staff_id: str) -> None:
        if staff_id not in self.admins:
            self._record(AdminEnrolled(staff_id=staff_id))

    def withdraw(self, staff_id: str) -> None:
        """Callers check `is_last_admin` through the member's rule first."""
        if staff_id in self.admins:
            self._record(AdminWithdrawn(staff_id=staff_id))

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, AdminEnrolled):
            self.admins.add(event.staff_id)
        elif isinstance(event, AdminWithdrawn):
            self.admins.discard(event.staff_id)

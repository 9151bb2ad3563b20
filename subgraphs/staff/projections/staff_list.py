"""Projection `staff.list`: pos.staff member events -> `StaffView`.

Idempotent: each document records the last version applied per stream and ignores
anything at or below it. Events it does not model (sign-ins, sessions, claims, the admin
roster, secret changes) count as applied.
"""

from __future__ import annotations

from eventbus import Envelope, topic_for
from eventbus.projection import Projection
from eventbus.readmodel import is_applied, mark_applied
from eventbus.repository import to_domain
from subgraphs.staff.domain import (
    LockedOut,
    Role,
    RoleGranted,
    RoleRevoked,
    StaffDeactivated,
    StaffHired,
)
from subgraphs.staff.projections.documents import StaffView

_MODELLED = {
    cls.event_type for cls in (StaffHired, RoleGranted, RoleRevoked, StaffDeactivated, LockedOut)
}


class StaffList(Projection):
    name = "staff.list"
    topics = (topic_for("staff"),)

    async def has_applied(self, envelope: Envelope) -> bool:
        if envelope.type not in _MODELLED:
            return True
        return is_applied(await StaffView.get(envelope.subject), envelope)

    async def apply(self, envelope: Envelope) -> None:
        if envelope.type not in _MODELLED:
            return
        doc = await StaffView.get(envelope.subject)
        if is_applied(doc, envelope):
            return
        changed = evolve(doc, envelope)
        if changed is None:
            return
        doc = changed
        mark_applied(doc, envelope)
        await doc.save()

    async def reset(self) -> None:
        await StaffView.delete_all()


def evolve(doc: StaffView | None, envelope: Envelope) -> StaffView | None:
    """The member's view after `envelope` (pure, no I/O; changes `doc` in place); None
    when the event changes nothing. `apply` and time travel (`asOf`, `history`) share it."""
    event = to_domain(envelope)
    match event:
        case StaffHired():
            return StaffView(
                id=envelope.subject,
                username=event.username,
                display_name=event.display_name,
                roles=event.roles,
                hired_at=event.hired_at,
            )
        case RoleGranted() if doc is not None:
            doc.roles = [r.value for r in Role if r.value in doc.roles or r.value == event.role]
        case RoleRevoked() if doc is not None:
            doc.roles = [r for r in doc.roles if r != event.role]
        case StaffDeactivated() if doc is not None:
            doc.active = False
        case LockedOut() if doc is not None:
            doc.locked_until = event.until
        case _:
            return None
    return doc

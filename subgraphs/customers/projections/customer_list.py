"""Projection `customers.list`: pos.customers events -> `CustomerView` documents."""

from __future__ import annotations

from eventbus import Envelope, topic_for
from eventbus.projection import Projection
from eventbus.readmodel import is_applied, mark_applied
from eventbus.repository import to_domain
from subgraphs.customers.domain import (
    CustomerAddressChanged,
    CustomerContactUpdated,
    CustomerRegistered,
    EmailClaimed,
    EmailReleased,
)
from subgraphs.customers.projections.documents import AddressView, CustomerView

_GUARD_EVENTS = {EmailClaimed.event_type, EmailReleased.event_type}


class CustomerListProjection(Projection):
    name = "customers.list"
    topics = (topic_for("customers"),)

    async def has_applied(self, envelope: Envelope) -> bool:
        if envelope.type in _GUARD_EVENTS:
            return True  # the email guard's stream: nothing to show
        return is_applied(await CustomerView.get(envelope.subject), envelope)

    async def reset(self) -> None:
        await CustomerView.delete_all()

    async def apply(self, envelope: Envelope) -> None:
        doc = await CustomerView.get(envelope.subject)
        if is_applied(doc, envelope):
            return
        changed = evolve(doc, envelope)
        if changed is None:
            return
        mark_applied(changed, envelope)
        await changed.save()


def evolve(doc: CustomerView | None, envelope: Envelope) -> CustomerView | None:
    """The view after `envelope` (pure, no I/O; changes `doc` in place); None when the
    event changes nothing. `apply` and time travel (`asOf`, `history`) both fold with it."""
    event = to_domain(envelope)
    match event:
        case CustomerRegistered():
            return CustomerView(
                id=envelope.subject,
                name=event.name,
                sort_name=event.name.lower(),
                email=event.email,
                phone=event.phone,
                address=AddressView(**event.address.model_dump()),
                registered_at=envelope.time,
                updated_at=envelope.time,
            )
        case CustomerContactUpdated() if doc is not None:
            doc.name, doc.sort_name = event.name, event.name.lower()
            doc.email, doc.phone = event.email, event.phone
            doc.updated_at = envelope.time
        case CustomerAddressChanged() if doc is not None:
            doc.address = AddressView(**event.address.model_dump())
            doc.updated_at = envelope.time
        case _:
            return None
    return doc

"""Projection `sales.customers`: pos.customers CustomerRegistered -> `SaleCustomer`, so
a sale is attached only to a customer who exists (NOT_FOUND otherwise). Only the id and
the name: the sales context keeps no personal data it does not print."""

from __future__ import annotations

from beanie import Document

from eventbus import Envelope, topic_for
from eventbus.projection import Projection
from eventbus.readmodel import AppliedMixin, is_applied, mark_applied

REGISTERED = "pos.customers.CustomerRegistered.v1"
CONTACT = "pos.customers.CustomerContactUpdated.v1"


class SaleCustomer(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the customer id
    name: str

    class Settings:
        name = "sales_customers"


class KnownCustomers(Projection):
    name = "sales.customers"
    topics = (topic_for("customers"),)

    async def has_applied(self, envelope: Envelope) -> bool:
        if envelope.type not in (REGISTERED, CONTACT):
            return True
        return is_applied(await SaleCustomer.get(envelope.subject), envelope)

    async def apply(self, envelope: Envelope) -> None:
        if envelope.type not in (REGISTERED, CONTACT):
            return
        doc = await SaleCustomer.get(envelope.subject)
        if is_applied(doc, envelope):
            return
        name = str(envelope.data.get("name") or "")
        if doc is None:
            doc = SaleCustomer(id=envelope.subject, name=name)
        elif name:
            doc.name = name
        mark_applied(doc, envelope)
        await doc.save()

    async def reset(self) -> None:
        await SaleCustomer.delete_all()

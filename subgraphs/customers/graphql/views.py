"""Shape customers for GraphQL: from the read model, or (past the read-your-writes bound)
from the write model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventbus import EventStore
from subgraphs.customers.domain import Address, Customer
from subgraphs.customers.projections import CustomerView


def _address(line1: str, line2: str, city: str, postal_code: str, country: str) -> dict[str, Any]:
    return {
        "line1": line1,
        "line2": line2 or None,
        "city": city,
        "postalCode": postal_code,
        "country": country,
    }


def from_view(doc: CustomerView) -> dict[str, Any]:
    a = doc.address
    return {
        "__typename": "Customer",
        "id": doc.id,
        "name": doc.name,
        "email": doc.email,
        "phone": doc.phone,
        "address": _address(a.line1, a.line2, a.city, a.postal_code, a.country),
        "registeredAt": doc.registered_at,
        "updatedAt": doc.updated_at,
    }


def _millis(moment: datetime) -> datetime:
    """The read store keeps milliseconds; answer the same instant either way."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


async def from_write_model(customer: Customer, store: EventStore) -> dict[str, Any]:
    """The same shape from the aggregate; times come from its stream."""
    stream = await store.read_stream(customer.id)
    address = customer.address or Address("", "", "", "")
    return {
        "__typename": "Customer",
        "id": customer.id,
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "address": _address(
            address.line1, address.line2, address.city, address.postal_code, address.country
        ),
        "registeredAt": _millis(stream[0].time),
        "updatedAt": _millis(stream[-1].time),
    }

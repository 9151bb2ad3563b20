"""Events of the customers context, published on `pos.customers`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from eventbus import DomainEvent, event


class AddressData(BaseModel):
    """An address as carried in events (snake_case keys, all strings)."""

    model_config = ConfigDict(frozen=True)

    line1: str
    line2: str = ""
    city: str
    postal_code: str
    country: str


@event("pos.customers.CustomerRegistered")
class CustomerRegistered(DomainEvent):
    name: str
    email: str
    phone: str
    address: AddressData


@event("pos.customers.CustomerContactUpdated")
class CustomerContactUpdated(DomainEvent):
    name: str
    email: str
    phone: str


@event("pos.customers.CustomerAddressChanged")
class CustomerAddressChanged(DomainEvent):
    address: AddressData


@event("pos.customers.EmailClaimed")
class EmailClaimed(DomainEvent):
    """The email guard stream: `email` now belongs to `customer_id`."""

    email: str
    customer_id: str


@event("pos.customers.EmailReleased")
class EmailReleased(DomainEvent):
    """`customer_id` changed away from `email`; another customer may now use it."""

    email: str
    customer_id: str

"""The Customer aggregate: who buys, how to reach them, where to ship."""

from __future__ import annotations

from eventbus import Aggregate, Conflict, DomainError, DomainEvent
from subgraphs.customers.domain.events import (
    AddressData,
    CustomerAddressChanged,
    CustomerContactUpdated,
    CustomerRegistered,
)
from subgraphs.customers.domain.values import (
    NAME_MAX,
    Address,
    bounded_text,
    valid_email,
    valid_phone,
)


def _address_data(address: Address) -> AddressData:
    return AddressData(**address.as_dict())


class Customer(Aggregate):
    context = "customers"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.registered = False
        self.name = ""
        self.email = ""
        self.phone = ""
        self.address: Address | None = None

    @classmethod
    def register(
        cls, customer_id: str, *, name: str, email: str, phone: str, address: Address
    ) -> Customer:
        customer = cls(customer_id)
        customer._record(
            CustomerRegistered(
                name=bounded_text(name, "name", max_len=NAME_MAX),
                email=valid_email(email),
                phone=valid_phone(phone),
                address=_address_data(address),
            )
        )
        return customer

    def update_contact(
        self, *, name: str | None = None, email: str | None = None, phone: str | None = None
    ) -> None:
        """Change any of name, email, phone; a no-op change records nothing."""
        self._require_registered()
        if name is None and email is None and phone is None:
            raise DomainError("give at least one of name, email or phone to update")
        new_name = self.name if name is None else bounded_text(name, "name", max_len=NAME_MAX)
        new_email = self.email if email is None else valid_email(email)
        new_phone = self.phone if phone is None else valid_phone(phone)
        if (new_name, new_email, new_phone) == (self.name, self.email, self.phone):
            return
        self._record(CustomerContactUpdated(name=new_name, email=new_email, phone=new_phone))

    def change_address(self, address: Address) -> None:
        self._require_registered()
        if address == self.address:
            return
        self._record(CustomerAddressChanged(address=_address_data(address)))

    def _require_registered(self) -> None:
        if not self.registered:
            raise Conflict(f"customer {self.id} is not registered")

    def apply(self, event: DomainEvent) -> None:
        match event:
            case CustomerRegistered():
                self.registered = True
                self.name, self.email, self.phone = event.name, event.email, event.phone
                self.address = Address.from_dict(event.address.model_dump())
            case CustomerContactUpdated():
                self.name, self.email, self.phone = event.name, event.email, event.phone
            case CustomerAddressChanged():
                self.address = Address.from_dict(event.address.model_dump())

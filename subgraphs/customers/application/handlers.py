"""Command handlers: load the Customer from its stream, decide, save (append + outbox)."""

from __future__ import annotations

from uuid import UUID, uuid4

from eventbus import Conflict, DomainError, EventStore
from eventbus.repository import EventSourcedRepository
from subgraphs.customers.application.commands import (
    AddressInput,
    ChangeAddress,
    RegisterCustomer,
    UpdateContactDetails,
)
from subgraphs.customers.domain import Address, Customer
from subgraphs.hosting.commands import Handled


def check_id(value: str, field: str = "id") -> str:
    """Customer ids are UUIDs; anything else cannot name a customer."""
    try:
        return str(UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise DomainError(
            f"{field} {value!r} is not a valid customer id (a UUID)", field=field
        ) from None


def to_address(data: AddressInput) -> Address:
    return Address.create(
        line1=data.line1,
        line2=data.line2,
        city=data.city,
        postal_code=data.postal_code,
        country=data.country,
    )


class CustomerHandlers:
    """The customers context's write side."""

    def __init__(self, store: EventStore) -> None:
        self.repository: EventSourcedRepository[Customer] = EventSourcedRepository(store, Customer)

    async def register(self, command: RegisterCustomer) -> Handled[Customer]:
        customer_id = check_id(command.customer_id) if command.customer_id else str(uuid4())
        if await self.repository.get(customer_id) is not None:
            raise Conflict(f"customer {customer_id} is already registered", field="id")
        customer = Customer.register(
            customer_id,
            name=command.name,
            email=command.email,
            phone=command.phone,
            address=to_address(command.address),
        )
        return Handled(customer, await self.repository.save(customer))

    async def update_contact_details(self, command: UpdateContactDetails) -> Handled[Customer]:
        customer = await self.repository.load(check_id(command.customer_id))
        customer.update_contact(name=command.name, email=command.email, phone=command.phone)
        return Handled(customer, await self.repository.save(customer))

    async def change_address(self, command: ChangeAddress) -> Handled[Customer]:
        customer = await self.repository.load(check_id(command.customer_id))
        customer.change_address(to_address(command.address))
        return Handled(customer, await self.repository.save(customer))

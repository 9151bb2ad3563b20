"""Command handlers: load the Customer from its stream, decide, save (append + outbox).

An email belongs to one customer: its guard stream (`EmailClaim`) is appended in the same
unit of work as the customer's event, so a lost race writes nothing and, retried by
`execute`, turns into a CONFLICT on `email`.
"""

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
from subgraphs.customers.domain import Address, Customer, EmailClaim, email_claim_id
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
        self.store = store
        self.repository: EventSourcedRepository[Customer] = EventSourcedRepository(store, Customer)
        self.claims: EventSourcedRepository[EmailClaim] = EventSourcedRepository(store, EmailClaim)

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
        claim = await self._claim(customer.email, customer_id)
        async with self.store.unit_of_work() as uow:
            envelopes = await self.claims.save(claim, uow=uow)
            envelopes += await self.repository.save(customer, uow=uow)
        return Handled(customer, envelopes)

    async def update_contact_details(self, command: UpdateContactDetails) -> Handled[Customer]:
        customer = await self.repository.load(check_id(command.customer_id))
        old_email = customer.email
        customer.update_contact(name=command.name, email=command.email, phone=command.phone)
        if customer.email == old_email:
            return Handled(customer, await self.repository.save(customer))
        claim = await self._claim(customer.email, customer.id)
        released = await self.claims.get(email_claim_id(old_email))
        async with self.store.unit_of_work() as uow:
            envelopes = await self.claims.save(claim, uow=uow)
            if released is not None:
                # Customers registered before the guard existed have no claim to release.
                released.release(old_email, customer.id)
                envelopes += await self.claims.save(released, uow=uow)
            envelopes += await self.repository.save(customer, uow=uow)
        return Handled(customer, envelopes)

    async def _claim(self, email: str, customer_id: str) -> EmailClaim:
        claim = await self.claims.get(email_claim_id(email)) or EmailClaim.blank(email)
        claim.claim(email, customer_id)
        return claim

    async def change_address(self, command: ChangeAddress) -> Handled[Customer]:
        customer = await self.repository.load(check_id(command.customer_id))
        customer.change_address(to_address(command.address))
        return Handled(customer, await self.repository.save(customer))

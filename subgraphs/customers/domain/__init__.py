"""Customers domain: the Customer aggregate, its email guard, value objects and events."""

from subgraphs.customers.domain.customer import Customer
from subgraphs.customers.domain.email_claim import EmailClaim, email_claim_id
from subgraphs.customers.domain.events import (
    AddressData,
    CustomerAddressChanged,
    CustomerContactUpdated,
    CustomerRegistered,
    EmailClaimed,
    EmailReleased,
)
from subgraphs.customers.domain.values import Address

__all__ = [
    "Address",
    "AddressData",
    "Customer",
    "CustomerAddressChanged",
    "CustomerContactUpdated",
    "CustomerRegistered",
    "EmailClaim",
    "EmailClaimed",
    "EmailReleased",
    "email_claim_id",
]

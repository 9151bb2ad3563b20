"""Customers domain: the Customer aggregate, its value objects and events."""

from subgraphs.customers.domain.customer import Customer
from subgraphs.customers.domain.events import (
    AddressData,
    CustomerAddressChanged,
    CustomerContactUpdated,
    CustomerRegistered,
)
from subgraphs.customers.domain.values import Address

__all__ = [
    "Address",
    "AddressData",
    "Customer",
    "CustomerAddressChanged",
    "CustomerContactUpdated",
    "CustomerRegistered",
]

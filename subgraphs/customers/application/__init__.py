"""Customers application layer: commands and their handlers."""

from subgraphs.customers.application.commands import (
    AddressInput,
    ChangeAddress,
    RegisterCustomer,
    UpdateContactDetails,
)
from subgraphs.customers.application.email_backfill import (
    BackfillReport,
    claim_existing_emails,
)
from subgraphs.customers.application.handlers import CustomerHandlers, check_id

__all__ = [
    "AddressInput",
    "BackfillReport",
    "ChangeAddress",
    "CustomerHandlers",
    "RegisterCustomer",
    "UpdateContactDetails",
    "check_id",
    "claim_existing_emails",
]

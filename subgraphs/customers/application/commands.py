"""Typed commands of the customers context (what a mutation asks for)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AddressInput:
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""


@dataclass(frozen=True, slots=True)
class RegisterCustomer:
    name: str
    email: str
    phone: str
    address: AddressInput
    customer_id: str | None = None
    """Chosen by the caller for idempotent retries; a fresh UUID otherwise."""


@dataclass(frozen=True, slots=True)
class UpdateContactDetails:
    customer_id: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeAddress:
    customer_id: str
    address: AddressInput

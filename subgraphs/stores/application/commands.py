"""Typed commands of the stores context: what a caller asks for, before validation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class AddressInput:
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class OpenStore:
    code: str
    name: str
    address: AddressInput
    currency: str
    tax_region: str
    """The tax region's code (e.g. NL); the region must be defined first."""
    pricing_mode: str
    rounding_level: str = "PER_LINE"
    rounding_mode: str = "HALF_UP"
    cash_rounding_increment: str | None = None
    return_window_days: int = 30
    discount_approval_threshold_percent: str = "20"
    store_id: str | None = None


@dataclass(frozen=True)
class UpdateStore:
    """None leaves a setting as it is; `clear_cash_rounding` turns cash rounding off."""

    store_id: str
    name: str | None = None
    address: AddressInput | None = None
    tax_region: str | None = None
    pricing_mode: str | None = None
    rounding_level: str | None = None
    rounding_mode: str | None = None
    cash_rounding_increment: str | None = None
    clear_cash_rounding: bool = False
    return_window_days: int | None = None
    discount_approval_threshold_percent: str | None = None


@dataclass(frozen=True)
class CloseStore:
    store_id: str
    reason: str = ""


@dataclass(frozen=True)
class AddRegister:
    store_id: str
    code: str
    name: str | None = None
    register_id: str | None = None


@dataclass(frozen=True)
class DeactivateRegister:
    register_id: str


@dataclass(frozen=True)
class DefineTaxRegion:
    code: str
    name: str
    rates: Sequence[tuple[str, str]] = ()
    """(tax class, rate in percent) pairs, e.g. [("STANDARD", "21"), ("REDUCED", "9")]."""


@dataclass(frozen=True)
class SetTaxRate:
    region: str
    """The region's code."""
    tax_class: str
    rate_percent: str

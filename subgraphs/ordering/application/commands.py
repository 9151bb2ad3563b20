"""Typed commands of the ordering context."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class AddressInput:
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""


@dataclass(frozen=True, slots=True)
class LineInput:
    product_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    customer_id: str
    lines: list[LineInput] = field(default_factory=list)
    shipping_address: AddressInput | None = None
    """Defaults to the customer's address (from ordering's projection of pos.customers)."""
    order_id: str | None = None
    """Chosen by the caller to make a retry safe; a fresh UUID otherwise."""


@dataclass(frozen=True, slots=True)
class PayOrder:
    order_id: str
    method: str
    amount: str


@dataclass(frozen=True, slots=True)
class ShipOrder:
    order_id: str


@dataclass(frozen=True, slots=True)
class CancelOrder:
    order_id: str
    reason: str = ""

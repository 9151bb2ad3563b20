"""Ordering value objects: money, order lines, shipping address, payment.

Amounts are `Decimal` and travel as strings, so no binary rounding ever reaches a total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from eventbus import DomainError

MAX_LINES = 100
MAX_QUANTITY = 10_000
_COUNTRY = re.compile(r"^[A-Z]{2}$")
CENT = Decimal("0.01")


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    PAID = "PAID"
    SHIPPED = "SHIPPED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


class PaymentMethod(StrEnum):
    CASH = "CASH"
    CARD = "CARD"


def parse_amount(value: str | Decimal, field: str) -> Decimal:
    """A finite, non-negative decimal amount with at most 2 decimal places."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise DomainError(
            f"{field} {value!r} is not a number; send a decimal string such as '12.50'",
            field=field,
        ) from None
    if not amount.is_finite() or amount < 0:
        raise DomainError(f"{field} must be a non-negative amount, got {value!r}", field=field)
    if amount != amount.quantize(CENT):
        raise DomainError(f"{field} {value!r} has more than 2 decimal places", field=field)
    return amount.quantize(CENT)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


@dataclass(frozen=True, slots=True)
class PricedProduct:
    """What ordering knows about a product from its projection of catalog events."""

    product_id: str
    sku: str
    name: str
    unit_price: Decimal
    currency: str
    active: bool


@dataclass(frozen=True, slots=True)
class OrderLine:
    product_id: str
    sku: str
    name: str
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)


@dataclass(frozen=True, slots=True)
class ShippingAddress:
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""

    @classmethod
    def create(
        cls, *, line1: str, city: str, postal_code: str, country: str, line2: str = ""
    ) -> ShippingAddress:
        code = country.strip().upper()
        if not _COUNTRY.match(code):
            raise DomainError(
                f"shippingAddress.country {country!r} must be a two-letter ISO code, e.g. DE",
                field="shippingAddress.country",
            )
        parts = {"line1": (line1, 200), "city": (city, 100), "postalCode": (postal_code, 20)}
        for name, (text, limit) in parts.items():
            if not text.strip():
                raise DomainError(
                    f"shippingAddress.{name} must not be empty", field=f"shippingAddress.{name}"
                )
            if len(text.strip()) > limit:
                raise DomainError(
                    f"shippingAddress.{name} is longer than {limit} characters",
                    field=f"shippingAddress.{name}",
                )
        if len(line2.strip()) > 200:
            raise DomainError(
                "shippingAddress.line2 is longer than 200 characters",
                field="shippingAddress.line2",
            )
        return cls(
            line1=line1.strip(),
            line2=line2.strip(),
            city=city.strip(),
            postal_code=postal_code.strip(),
            country=code,
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "postal_code": self.postal_code,
            "country": self.country,
        }

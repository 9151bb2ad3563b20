"""Value objects and input rules of the catalog, with messages a caller can act on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from uuid import UUID

from eventbus import DomainError
from subgraphs.catalog.domain.currencies import ACTIVE_CODES, minor_units

SKU_MAX = 64
NAME_MAX = 200
CATEGORY_NAME_MAX = 100
PRICE_MAX = Decimal("1000000000")
_SKU = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one ISO 4217 currency."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def parse_currency(value: str, field: str = "currency") -> str:
    code = value.strip().upper()
    if code not in ACTIVE_CODES:
        raise DomainError(
            f"{field} {value[:20]!r} is not an ISO 4217 currency code (e.g. EUR, USD, JPY)",
            field=field,
        )
    return code


def parse_money(amount: str, currency: str, field: str = "unitPrice") -> Money:
    """A price from user input: a decimal string, not negative, in the currency's units."""
    code = parse_currency(currency, f"{field}.currency")
    try:
        value = Decimal(amount.strip())
    except (InvalidOperation, AttributeError):
        value = Decimal("NaN")
    if not value.is_finite():
        raise DomainError(
            f"{field}.amount {amount[:40]!r} is not a number: write a decimal like 12.50",
            field=f"{field}.amount",
        )
    if value < 0:
        raise DomainError(
            f"{field}.amount must not be negative, got {value}", field=f"{field}.amount"
        )
    if value > PRICE_MAX:
        raise DomainError(
            f"{field}.amount must be at most {PRICE_MAX}, got {value}", field=f"{field}.amount"
        )
    places = minor_units(code)
    unit = Decimal(1).scaleb(-places)
    if value != value.quantize(unit):
        raise DomainError(
            f"{field}.amount {value} has more decimals than {code} allows ({places})",
            field=f"{field}.amount",
        )
    return Money(value.quantize(unit), code)


def parse_sku(value: str) -> str:
    """SKUs compare case-insensitively: stored upper-case."""
    sku = value.strip().upper()
    if not sku:
        raise DomainError("sku must not be empty", field="sku")
    if len(sku) > SKU_MAX:
        raise DomainError(f"sku must be at most {SKU_MAX} characters", field="sku")
    if not _SKU.match(sku):
        raise DomainError(
            f"sku {value[:SKU_MAX]!r} may contain only letters, digits, '.', '_' and '-', "
            "starting with a letter or digit",
            field="sku",
        )
    return sku


def parse_name(value: str, field: str = "name", limit: int = NAME_MAX) -> str:
    name = " ".join(value.split())
    if not name:
        raise DomainError(f"{field} must not be empty", field=field)
    if len(name) > limit:
        raise DomainError(f"{field} must be at most {limit} characters", field=field)
    return name


def parse_id(value: str, field: str = "id", what: str = "record") -> str:
    """Ids are UUIDs; anything else cannot name a record."""
    try:
        return str(UUID(str(value)))
    except ValueError:
        raise DomainError(
            f"{field} {str(value)[:60]!r} is not a valid {what} id (a UUID)", field=field
        ) from None

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
TAX_CLASS_MAX = 32
DEFAULT_TAX_CLASS = "STANDARD"
_SKU = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")
_TAX_CLASS = re.compile(r"^[A-Z][A-Z0-9_]*$")


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


def parse_tax_class(value: str, field: str = "taxClass") -> str:
    """An open class name (STANDARD, REDUCED, ZERO, or a region's own such as
    SUPER_REDUCED); the stores context gives each class its rate per tax region."""
    name = value.strip().upper()
    if not name or len(name) > TAX_CLASS_MAX or not _TAX_CLASS.match(name):
        raise DomainError(
            f"{field} {value[:TAX_CLASS_MAX]!r} is not a tax class: use STANDARD, REDUCED, "
            f"ZERO or a name of 1 to {TAX_CLASS_MAX} letters, digits and '_' starting with a "
            "letter",
            field=field,
        )
    return name


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

"""Input rules and value objects of the stores context, with messages a caller can act on.

Decimals (rates, percentages, the cash rounding increment) travel as exact decimal
strings, never floats: ``"8.875"`` stays 8.875.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from uuid import UUID

from eventbus import DomainError
from subgraphs.catalog.domain.currencies import minor_units
from subgraphs.catalog.domain.values import parse_currency

CODE_MAX = 16
NAME_MAX = 100
ADDRESS_LINE_MAX = 200
RETURN_WINDOW_DEFAULT = 30
RETURN_WINDOW_MAX = 3650
DISCOUNT_THRESHOLD_DEFAULT = Decimal(20)
RATE_PLACES = 4
"""Tax rates and percentages keep at most this many decimals (8.875% is 3)."""
CASH_INCREMENT_MAX = Decimal(1000)

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
_REGION = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")
_TAX_CLASS = re.compile(r"^[A-Z][A-Z0-9_]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class PricingMode(StrEnum):
    """Whether shelf prices include tax (EU) or tax is added at the till (US)."""

    TAX_INCLUSIVE = "TAX_INCLUSIVE"
    TAX_EXCLUSIVE = "TAX_EXCLUSIVE"


class RoundingLevel(StrEnum):
    """Where tax is rounded to the currency's minor unit."""

    PER_LINE = "PER_LINE"
    PER_TOTAL = "PER_TOTAL"


class RoundingMode(StrEnum):
    HALF_UP = "HALF_UP"
    HALF_EVEN = "HALF_EVEN"


class TaxClass(StrEnum):
    """The tax classes every region knows by name; regions may define further ones."""

    STANDARD = "STANDARD"
    REDUCED = "REDUCED"
    ZERO = "ZERO"


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    city: str
    postal_code: str
    country: str
    """ISO 3166-1 alpha-2, upper-case."""
    line2: str = ""
    region: str = ""
    """State, province or county, where the postal system uses one."""

    def as_dict(self) -> dict[str, str]:
        return {
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "postal_code": self.postal_code,
            "region": self.region,
            "country": self.country,
        }


@dataclass(frozen=True, slots=True)
class RoundingPolicy:
    level: RoundingLevel = RoundingLevel.PER_LINE
    mode: RoundingMode = RoundingMode.HALF_UP


def _clean(value: str) -> str:
    return " ".join(value.split())


def parse_code(value: str, field: str, what: str) -> str:
    """Store and register codes: short, compared case-insensitively, stored upper-case."""
    code = value.strip().upper()
    if not code:
        raise DomainError(f"{field} must not be empty: give a short code like S01", field=field)
    if len(code) > CODE_MAX:
        raise DomainError(f"{field} must be at most {CODE_MAX} characters", field=field)
    if not _CODE.match(code):
        raise DomainError(
            f"{field} {value[:CODE_MAX]!r} may contain only letters, digits, '_' and '-', "
            f"starting with a letter or digit (a {what} code like "
            f"{'S01' if what == 'store' else 'R1'})",
            field=field,
        )
    return code


def parse_store_code(value: str, field: str = "code") -> str:
    return parse_code(value, field, "store")


def parse_register_code(value: str, field: str = "code") -> str:
    return parse_code(value, field, "register")


def parse_region_code(value: str, field: str = "taxRegion") -> str:
    """Tax region codes, e.g. NL or US-NY-NYC: upper-case letters, digits and '-'."""
    code = value.strip().upper()
    if not code or len(code) > 32 or not _REGION.match(code):
        raise DomainError(
            f"{field} {value[:32]!r} is not a tax region code: 1 to 32 letters, digits and "
            "'-', like NL or US-NY-NYC",
            field=field,
        )
    return code


def parse_tax_class(value: str, field: str = "taxClass") -> str:
    """STANDARD, REDUCED, ZERO or a further named class (upper-case, e.g. SUPER_REDUCED)."""
    name = value.strip().upper()
    if not name or len(name) > 32 or not _TAX_CLASS.match(name):
        raise DomainError(
            f"{field} {value[:32]!r} is not a tax class: use STANDARD, REDUCED, ZERO or a "
            "name of 1 to 32 letters, digits and '_' starting with a letter",
            field=field,
        )
    return name


def parse_name(value: str, field: str = "name", limit: int = NAME_MAX) -> str:
    name = _clean(value)
    if not name:
        raise DomainError(f"{field} must not be empty", field=field)
    if len(name) > limit:
        raise DomainError(f"{field} must be at most {limit} characters", field=field)
    return name


def parse_address(
    *,
    line1: str,
    city: str,
    postal_code: str,
    country: str,
    line2: str | None = None,
    region: str | None = None,
    field: str = "address",
) -> Address:
    code = country.strip().upper()
    if not _COUNTRY.match(code):
        raise DomainError(
            f"{field}.country {country[:10]!r} must be a two-letter ISO 3166 code, e.g. NL",
            field=f"{field}.country",
        )
    required = {"line1": line1, "city": city, "postalCode": postal_code}
    clean = {
        name: parse_name(text, f"{field}.{name}", ADDRESS_LINE_MAX)
        for name, text in required.items()
    }
    optional = {}
    for name, text in (("line2", line2), ("region", region)):
        value = _clean(text or "")
        if len(value) > ADDRESS_LINE_MAX:
            raise DomainError(
                f"{field}.{name} must be at most {ADDRESS_LINE_MAX} characters",
                field=f"{field}.{name}",
            )
        optional[name] = value
    return Address(
        line1=clean["line1"],
        city=clean["city"],
        postal_code=clean["postalCode"],
        country=code,
        line2=optional["line2"],
        region=optional["region"],
    )


def address_from(data: dict[str, str]) -> Address:
    """An address as events carry it (already validated)."""
    return Address(
        line1=data["line1"],
        line2=data.get("line2", ""),
        city=data["city"],
        postal_code=data["postal_code"],
        region=data.get("region", ""),
        country=data["country"],
    )


def _decimal(value: str | Decimal, field: str, example: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise DomainError(
            f"{field} {str(value)[:40]!r} is not a number: write a decimal like {example}",
            field=field,
        )
    return number


def _places(number: Decimal, field: str, places: int) -> Decimal:
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise DomainError(f"{field} {number} has more than {places} decimals", field=field)
    return number


def canonical(number: Decimal) -> str:
    """The plain decimal text of `number` without trailing zeros: 21, 8.875, 0.05."""
    normal = number.normalize()
    text = f"{normal:f}"
    return text if normal != 0 else "0"


def parse_rate(value: str | Decimal, field: str = "ratePercent") -> Decimal:
    """A tax rate in percent: at least 0 and below 100, at most RATE_PLACES decimals."""
    rate = _decimal(value, field, "21 or 8.875")
    if rate < 0 or rate >= 100:
        raise DomainError(
            f"{field} must be at least 0 and below 100 (a percentage), got {canonical(rate)}",
            field=field,
        )
    return _places(rate, field, RATE_PLACES)


def parse_percent(value: str | Decimal, field: str = "discountApprovalThresholdPercent") -> Decimal:
    """A percentage from 0 to 100 inclusive."""
    percent = _decimal(value, field, "20")
    if percent < 0 or percent > 100:
        raise DomainError(f"{field} must be from 0 to 100, got {canonical(percent)}", field=field)
    return _places(percent, field, RATE_PLACES)


def parse_return_window(days: int, field: str = "returnWindowDays") -> int:
    if not 0 <= days <= RETURN_WINDOW_MAX:
        raise DomainError(
            f"{field} must be from 0 to {RETURN_WINDOW_MAX} days, got {days}", field=field
        )
    return days


def parse_cash_increment(
    value: str | Decimal, currency: str, field: str = "cashRoundingIncrement"
) -> Decimal:
    """The smallest cash amount a till hands out (e.g. 0.05): positive, a whole number of
    the currency's minor units."""
    increment = _decimal(value, field, "0.05")
    if increment <= 0 or increment > CASH_INCREMENT_MAX:
        raise DomainError(
            f"{field} must be above 0 and at most {CASH_INCREMENT_MAX}, got {canonical(increment)}",
            field=field,
        )
    places = minor_units(currency)
    if increment != increment.quantize(Decimal(1).scaleb(-places)):
        raise DomainError(
            f"{field} {canonical(increment)} is finer than {currency} allows ({places} decimals)",
            field=field,
        )
    return increment


def parse_id(value: str, field: str = "id", what: str = "store") -> str:
    """Ids are UUIDs; anything else cannot name a record."""
    try:
        return str(UUID(str(value)))
    except ValueError:
        raise DomainError(
            f"{field} {str(value)[:60]!r} is not a valid {what} id (a UUID)", field=field
        ) from None


__all__ = [
    "CODE_MAX",
    "DISCOUNT_THRESHOLD_DEFAULT",
    "NAME_MAX",
    "RATE_PLACES",
    "RETURN_WINDOW_DEFAULT",
    "Address",
    "PricingMode",
    "RoundingLevel",
    "RoundingMode",
    "RoundingPolicy",
    "TaxClass",
    "address_from",
    "canonical",
    "parse_address",
    "parse_cash_increment",
    "parse_currency",
    "parse_id",
    "parse_name",
    "parse_percent",
    "parse_rate",
    "parse_region_code",
    "parse_register_code",
    "parse_return_window",
    "parse_store_code",
    "parse_tax_class",
]

"""Customer value objects: validated contact details and a postal address.

Validation lives here (not in the GraphQL layer) so every entry point, including the
seed, gets the same rules and the same messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eventbus import DomainError

NAME_MAX = 120
EMAIL_MAX = 254
ADDRESS_LINE_MAX = 200
CITY_MAX = 100
POSTAL_CODE_MAX = 20

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()./-]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def bounded_text(value: str, field: str, *, max_len: int, required: bool = True) -> str:
    """Trimmed text within `max_len` characters; empty only when not `required`."""
    text = value.strip()
    if required and not text:
        raise DomainError(f"{field} must not be empty", field=field)
    if len(text) > max_len:
        raise DomainError(
            f"{field} is {len(text)} characters long; the maximum is {max_len}",
            field=field,
        )
    return text


def valid_email(value: str, field: str = "email") -> str:
    """A lower-cased address of the usual `local@domain.tld` shape."""
    email = bounded_text(value, field, max_len=EMAIL_MAX).lower()
    local = email.partition("@")[0]
    if not _EMAIL.match(email) or len(local) > 64:
        raise DomainError(
            f"{field} {value.strip()!r} is not a valid email address (expected name@example.com)",
            field=field,
        )
    return email


def valid_phone(value: str, field: str = "phone") -> str:
    """A phone number normalised to `+` and digits (E.164-like: 7 to 15 digits)."""
    raw = value.strip()
    digits = re.sub(r"\D", "", raw)
    if not raw or not _PHONE_CHARS.match(raw) or not 7 <= len(digits) <= 15:
        raise DomainError(
            f"{field} {raw!r} is not a valid phone number "
            "(7 to 15 digits, optional leading +, e.g. +49 30 1234567)",
            field=field,
        )
    return ("+" if raw.startswith("+") else "") + digits


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""

    @classmethod
    def create(
        cls, *, line1: str, city: str, postal_code: str, country: str, line2: str = ""
    ) -> Address:
        """Validate and normalise (country as an upper-case ISO 3166-1 alpha-2 code)."""
        code = country.strip().upper()
        if not _COUNTRY.match(code):
            raise DomainError(
                f"address.country {country!r} must be a two-letter ISO country code, e.g. DE",
                field="address.country",
            )
        return cls(
            line1=bounded_text(line1, "address.line1", max_len=ADDRESS_LINE_MAX),
            line2=bounded_text(line2, "address.line2", max_len=ADDRESS_LINE_MAX, required=False),
            city=bounded_text(city, "address.city", max_len=CITY_MAX),
            postal_code=bounded_text(postal_code, "address.postalCode", max_len=POSTAL_CODE_MAX),
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

    @classmethod
    def from_dict(cls, raw: dict[str, str]) -> Address:
        return cls(
            line1=raw["line1"],
            line2=raw.get("line2", ""),
            city=raw["city"],
            postal_code=raw["postal_code"],
            country=raw["country"],
        )

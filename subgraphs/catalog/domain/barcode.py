"""Barcodes: EAN-13 and UPC-A (GTIN-13 and GTIN-12), check digit validated.

A UPC-A code is the EAN-13 code with a leading 0 (scanners report either), so both
spellings name one product: uniqueness and lookups use the 13-digit form (`gtin13`),
while the product keeps the digits as they were entered.
"""

from __future__ import annotations

from eventbus import DomainError

LENGTHS = {13: "EAN-13", 12: "UPC-A"}


def check_digit(payload: str) -> int:
    """The GS1 check digit of `payload` (all digits but the last): weights 3, 1, 3, ...
    from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return (10 - total % 10) % 10


def with_check_digit(payload: str) -> str:
    """`payload` (11 or 12 digits) completed with its check digit."""
    return payload + str(check_digit(payload))


def parse_barcode(value: str, field: str = "barcode") -> str:
    """A valid EAN-13 or UPC-A code (spaces and hyphens dropped), digits only."""
    digits = "".join(value.replace("-", " ").split())
    shown = value[:40]
    if not digits:
        raise DomainError(
            f"{field} must not be empty: give an EAN-13 or UPC-A code (null for none)",
            field=field,
        )
    if not digits.isdigit() or not digits.isascii():
        raise DomainError(
            f"{field} {shown!r} may contain only digits: scan or type the 13 digits of an "
            "EAN-13 or the 12 of a UPC-A code",
            field=field,
        )
    if len(digits) not in LENGTHS:
        raise DomainError(
            f"{field} {shown!r} has {len(digits)} digits: an EAN-13 has 13 and a UPC-A 12",
            field=field,
        )
    expected = check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        raise DomainError(
            f"{field} {shown!r} is not a valid {LENGTHS[len(digits)]} code: its check digit "
            f"is {digits[-1]}, the digits before it give {expected}; check for a typo",
            field=field,
        )
    return digits


def gtin13(barcode: str) -> str:
    """The 13-digit form of a valid barcode (UPC-A gains a leading 0)."""
    return barcode.zfill(13)

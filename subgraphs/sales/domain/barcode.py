"""Scanned barcodes: EAN-13 and UPC-A (GTIN-13 and GTIN-12), check digit validated.

A till sends what the scanner read (or what the cashier typed). A wrong check digit is
the caller's bad input (a misread or a typo: scan again); a valid code no product has is
a lookup that finds nothing (NOT_FOUND), decided by the application. A UPC-A code is
the EAN-13 code with a leading 0, so lookups use the 13-digit form (as the catalog does).
"""

from __future__ import annotations

from subgraphs.sales.domain.errors import SaleInputError

LENGTHS = {13: "EAN-13", 12: "UPC-A"}


def check_digit(payload: str) -> int:
    """The GS1 check digit of `payload`: weights 3, 1, 3, ... from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return (10 - total % 10) % 10


def parse_barcode(value: str, field: str = "barcode") -> str:
    """The GTIN-13 form of a valid EAN-13 or UPC-A code (spaces and hyphens dropped)."""
    digits = "".join(value.replace("-", " ").split())
    shown = value[:40]
    if not digits.isascii() or not digits.isdigit() or len(digits) not in LENGTHS:
        raise SaleInputError(
            f"{field} {shown!r} is not an EAN-13 (13 digits) or UPC-A (12 digits) code: "
            "scan it again or type the digits under the bars",
            reason="INVALID_BARCODE",
            field=field,
        )
    expected = check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        raise SaleInputError(
            f"{field} {shown!r} has check digit {digits[-1]} but its digits give {expected}: "
            "a misread or a typo; scan it again",
            reason="BAD_CHECK_DIGIT",
            field=field,
            expected=str(expected),
        )
    return digits.zfill(13)

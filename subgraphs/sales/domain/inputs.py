"""Checks of the free-text and quantity inputs of sale commands."""

from __future__ import annotations

from subgraphs.sales.domain.errors import SaleInputError

QUANTITY_MAX = 9999
TEXT_MAX = 200


def parse_text(value: str, field: str) -> str:
    text = " ".join(value.split())
    if not text or len(text) > TEXT_MAX:
        raise SaleInputError(
            f"{field} must be 1 to {TEXT_MAX} characters", reason="INVALID_TEXT", field=field
        )
    return text


def parse_quantity(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= QUANTITY_MAX:
        raise SaleInputError(
            f"quantity must be a whole number from 1 to {QUANTITY_MAX}, got {value}",
            reason="INVALID_QUANTITY",
            field="quantity",
        )
    return value

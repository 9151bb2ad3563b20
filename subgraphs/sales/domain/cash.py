"""Counted cash: a total, or a count per denomination that adds up to one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from subgraphs.sales.domain.errors import SaleInputError
from subgraphs.sales.domain.money import ZERO, Money, exact_amount


@dataclass(frozen=True, slots=True)
class CashCount:
    """What was counted in a drawer. `denominations`: (face value, how many), largest
    first; empty when only a total was entered."""

    total: Decimal
    denominations: tuple[tuple[Decimal, int], ...] = ()


def count_cash(
    currency: str,
    *,
    total: Money | None = None,
    denominations: Mapping[Decimal, int] | None = None,
    field: str = "counted",
) -> CashCount:
    """A count from either a total or notes and coins (both: they must agree)."""
    if total is None and denominations is None:
        raise SaleInputError(
            f"{field} needs a total or a count per denomination",
            reason="COUNT_REQUIRED",
            field=field,
        )
    rows: list[tuple[Decimal, int]] = []
    for face, how_many in sorted((denominations or {}).items(), reverse=True):
        value = exact_amount(Money(face, currency), currency, field=f"{field}.denomination")
        if isinstance(how_many, bool) or how_many < 0:
            raise SaleInputError(
                f"{field}: the count of {face} must be zero or more",
                reason="INVALID_COUNT",
                field=f"{field}.count",
            )
        if how_many:
            rows.append((value, how_many))
    summed = sum((face * n for face, n in rows), ZERO)
    if total is None:
        return CashCount(summed, tuple(rows))
    value = exact_amount(total, currency, field=f"{field}.total", allow_zero=True)
    if denominations is not None and value != summed:
        raise SaleInputError(
            f"{field}: the denominations add up to {summed}, not {value}",
            reason="COUNT_MISMATCH",
            field=field,
        )
    return CashCount(value, tuple(rows))

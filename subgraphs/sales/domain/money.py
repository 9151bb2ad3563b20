"""Money in the sales context: Decimal amounts quantized to the currency's minor unit.

A sale has one currency (its store's). Amounts inside a sale are plain `Decimal`s in
that currency; amounts arriving from outside (tenders, discount amounts, floats) come
as `Money` so that one in another currency is refused instead of silently added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from subgraphs.catalog.domain.currencies import ACTIVE_CODES, minor_units
from subgraphs.sales.domain.errors import CurrencyMismatch, SaleInputError

ZERO = Decimal(0)
AMOUNT_MAX = Decimal("1000000000")


class RoundingMode(StrEnum):
    """How a half minor unit is rounded: commercial (up) or banker's (to even)."""

    HALF_UP = "HALF_UP"
    HALF_EVEN = "HALF_EVEN"

    @property
    def decimal_rounding(self) -> str:
        return ROUND_HALF_UP if self is RoundingMode.HALF_UP else ROUND_HALF_EVEN


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one ISO 4217 currency, as a command carries it."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def quantum(currency: str) -> Decimal:
    """The currency's smallest unit: 0.01 for EUR, 1 for JPY, 0.001 for KWD."""
    return Decimal(1).scaleb(-minor_units(currency))


def parse_currency(code: str, field: str = "currency") -> str:
    value = code.strip().upper()
    if value not in ACTIVE_CODES:
        raise SaleInputError(
            f"{field} {code[:20]!r} is not an ISO 4217 currency code (e.g. EUR, USD)",
            reason="UNKNOWN_CURRENCY",
            field=field,
        )
    return value


def round_money(
    value: Decimal, currency: str, mode: RoundingMode = RoundingMode.HALF_UP
) -> Decimal:
    return value.quantize(quantum(currency), rounding=mode.decimal_rounding)


def exact_amount(
    money: Money,
    currency: str,
    *,
    field: str,
    allow_zero: bool = False,
) -> Decimal:
    """The amount of `money`, checked: in `currency`, finite, positive (or zero when
    allowed), at most AMOUNT_MAX and with no more decimals than the currency has."""
    if money.currency.strip().upper() != currency:
        raise CurrencyMismatch(money.currency, currency, field=field)
    value = money.amount
    try:
        finite = value.is_finite()
    except (AttributeError, InvalidOperation):  # pragma: no cover - typed as Decimal
        finite = False
    if not finite:
        raise SaleInputError(f"{field} is not a number", reason="INVALID_AMOUNT", field=field)
    if value < 0 or (value == 0 and not allow_zero):
        limit = "zero or more" if allow_zero else "more than zero"
        raise SaleInputError(
            f"{field} must be {limit}, got {value}", reason="INVALID_AMOUNT", field=field
        )
    if value > AMOUNT_MAX:
        raise SaleInputError(
            f"{field} must be at most {AMOUNT_MAX}, got {value}",
            reason="INVALID_AMOUNT",
            field=field,
        )
    unit = quantum(currency)
    if value != value.quantize(unit):
        raise SaleInputError(
            f"{field} {value} has more decimals than {currency} allows ({minor_units(currency)})",
            reason="INVALID_AMOUNT",
            field=field,
        )
    return value.quantize(unit)


def round_to_increment(
    amount: Decimal, increment: Decimal, currency: str, mode: RoundingMode
) -> Decimal:
    """`amount` rounded to a multiple of `increment` (cash rounding, e.g. 0.05)."""
    steps = (amount / increment).quantize(Decimal(1), rounding=mode.decimal_rounding)
    return (steps * increment).quantize(quantum(currency))


def allocate(total: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Split `total` over `weights` in proportion, in minor units, summing exactly.

    Largest remainder: each share is rounded down first, then the units left over go
    to the shares with the largest remainders (ties to the earlier one), so a sale
    discount or a per-total tax spreads over lines without a cent appearing or
    vanishing. Zero weights get nothing unless every weight is zero (then equal shares).
    """
    if not weights:
        return []
    unit = quantum(currency)
    units = int((total / unit).to_integral_value())
    basis = list(weights) if any(w != 0 for w in weights) else [Decimal(1)] * len(weights)
    whole = sum(basis, ZERO)
    exact = [Decimal(units) * w / whole for w in basis]
    shares = [int(e.to_integral_value(rounding="ROUND_FLOOR")) for e in exact]
    left = units - sum(shares)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return [(Decimal(s) * unit).quantize(unit) for s in shares]

"""Taxes: classes, a region's rates, the store's pricing policy, and the calculation.

A store prices tax-INCLUSIVE (EU shelf prices contain VAT) or tax-EXCLUSIVE (US sales
tax is added at the till). Each product has a tax class; the store's region gives one
rate per class. The stores context owns the rates: it hands them to a sale as a
`TaxTable`, which the sale keeps from its start (a rate change mid-sale does not move
figures the customer has already seen).

Rounding is the store's policy: PER_LINE (each line's tax is rounded and the receipt
adds the rounded figures) or PER_TOTAL (the tax of all lines of one class is computed
on their sum, rounded once, and spread back over the lines by largest remainder so the
line figures still add up); HALF_UP or HALF_EVEN. Optional cash rounding (an increment
such as 0.05) applies to what is paid in cash, never to the tax: see `tenders.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from subgraphs.sales.domain.errors import SaleInputError
from subgraphs.sales.domain.money import ZERO, RoundingMode, allocate, quantum, round_money

HUNDRED = Decimal(100)
_TAX_CLASS = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")


class TaxClass(StrEnum):
    """The classes every region knows by name. A region may define further ones (any
    upper-case name, as the stores context allows): tax classes are plain strings, and
    these are constants for the common ones (and the order of the tax summary)."""

    STANDARD = "STANDARD"
    REDUCED = "REDUCED"
    SECOND_REDUCED = "SECOND_REDUCED"
    ZERO = "ZERO"
    EXEMPT = "EXEMPT"


class PricingMode(StrEnum):
    INCLUSIVE = "INCLUSIVE"
    """Prices contain the tax; the tax is the rate's fraction of the price (VAT)."""
    EXCLUSIVE = "EXCLUSIVE"
    """Prices are net; the tax is added on top (US sales tax)."""


def parse_pricing(value: str) -> PricingMode:
    """INCLUSIVE / EXCLUSIVE, also as the stores context spells them (TAX_INCLUSIVE)."""
    name = value.strip().upper().removeprefix("TAX_")
    try:
        return PricingMode(name)
    except ValueError:
        raise SaleInputError(
            f"pricing {value[:30]!r} must be INCLUSIVE or EXCLUSIVE",
            reason="UNKNOWN_PRICING",
            field="pricing",
        ) from None


class RoundingLevel(StrEnum):
    PER_LINE = "PER_LINE"
    PER_TOTAL = "PER_TOTAL"


def parse_tax_class(value: str, field: str = "taxClass") -> str:
    """STANDARD, REDUCED, ZERO, ... or a region's own class (1-32 of A-Z, 0-9, '_')."""
    name = value.strip().upper()
    if not _TAX_CLASS.match(name):
        names = ", ".join(c.value for c in TaxClass)
        raise SaleInputError(
            f"{field} {value[:32]!r} is not a tax class: use {names} or a region's own "
            "class name (letters, digits, '_', starting with a letter)",
            reason="UNKNOWN_TAX_CLASS",
            field=field,
        )
    return name


@dataclass(frozen=True, slots=True)
class TaxPolicy:
    """How a store prices and rounds. `cash_increment` None: cash is paid to the cent."""

    pricing: PricingMode = PricingMode.INCLUSIVE
    level: RoundingLevel = RoundingLevel.PER_LINE
    mode: RoundingMode = RoundingMode.HALF_UP
    cash_increment: Decimal | None = None

    def check(self, currency: str) -> None:
        inc = self.cash_increment
        if inc is None:
            return
        unit = quantum(currency)
        if inc <= 0 or inc != inc.quantize(unit) or inc % unit != 0:
            raise SaleInputError(
                f"cash rounding increment {inc} must be a positive multiple of {unit}",
                reason="INVALID_CASH_INCREMENT",
                field="cashIncrement",
            )


@dataclass(frozen=True, slots=True)
class TaxTable:
    """A region's rates, in percent per tax class (e.g. STANDARD: 21, REDUCED: 9)."""

    region: str
    rates: Mapping[str, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for tax_class, rate in self.rates.items():
            if not rate.is_finite() or rate < 0 or rate >= HUNDRED * 10:
                raise SaleInputError(
                    f"rate {rate} of {tax_class} in {self.region} is not a percentage",
                    reason="INVALID_TAX_RATE",
                    field="rates",
                )

    def rate_for(self, tax_class: str) -> Decimal:
        rate = self.rates.get(tax_class)
        if rate is None:
            raise SaleInputError(
                f"tax region {self.region} has no rate for tax class {tax_class}: "
                "ask a manager to set one, or fix the product's tax class",
                reason="NO_TAX_RATE",
                field="taxClass",
                region=self.region,
            )
        return rate


@dataclass(frozen=True, slots=True)
class TaxableLine:
    """A line's amount after discounts: gross when prices are INCLUSIVE, else net."""

    line_id: str
    tax_class: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class LineTax:
    line_id: str
    tax_class: str
    rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True, slots=True)
class TaxSummaryRow:
    """One row of the receipt's tax summary: the lines of one class (and rate)."""

    tax_class: str
    rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True, slots=True)
class TaxResult:
    lines: tuple[LineTax, ...]
    summary: tuple[TaxSummaryRow, ...]

    @property
    def net(self) -> Decimal:
        return sum((r.net for r in self.summary), ZERO)

    @property
    def tax(self) -> Decimal:
        return sum((r.tax for r in self.summary), ZERO)

    @property
    def gross(self) -> Decimal:
        return sum((r.gross for r in self.summary), ZERO)


def tax_of(amount: Decimal, rate: Decimal, pricing: PricingMode) -> Decimal:
    """The unrounded tax in `amount`: rate/(100+rate) of a gross, rate/100 of a net."""
    if pricing is PricingMode.INCLUSIVE:
        return amount * rate / (HUNDRED + rate)
    return amount * rate / HUNDRED


def compute_tax(
    lines: Sequence[TaxableLine], table: TaxTable, policy: TaxPolicy, currency: str
) -> TaxResult:
    """Every line's net, tax and gross, and the summary per tax class."""
    rates = {line.tax_class: table.rate_for(line.tax_class) for line in lines}
    taxes: dict[str, Decimal] = {}
    if policy.level is RoundingLevel.PER_LINE:
        for line in lines:
            raw = tax_of(line.amount, rates[line.tax_class], policy.pricing)
            taxes[line.line_id] = round_money(raw, currency, policy.mode)
    else:
        for tax_class, members in _by_class(lines):
            base = sum((m.amount for m in members), ZERO)
            raw = tax_of(base, rates[tax_class], policy.pricing)
            total = round_money(raw, currency, policy.mode)
            shares = allocate(total, [m.amount for m in members], currency)
            taxes.update({m.line_id: s for m, s in zip(members, shares, strict=True)})
    out: list[LineTax] = []
    for line in lines:
        tax = taxes[line.line_id]
        if policy.pricing is PricingMode.INCLUSIVE:
            net, gross = line.amount - tax, line.amount
        else:
            net, gross = line.amount, line.amount + tax
        out.append(LineTax(line.line_id, line.tax_class, rates[line.tax_class], net, tax, gross))
    return TaxResult(tuple(out), summarize(out))


def summarize(lines: Iterable[LineTax]) -> tuple[TaxSummaryRow, ...]:
    """Rows per tax class in TaxClass order, adding the lines' (rounded) figures."""
    rows: dict[str, TaxSummaryRow] = {}
    for line in lines:
        row = rows.get(line.tax_class)
        if row is None:
            rows[line.tax_class] = TaxSummaryRow(
                line.tax_class, line.rate, line.net, line.tax, line.gross
            )
        else:
            rows[line.tax_class] = TaxSummaryRow(
                row.tax_class,
                row.rate,
                row.net + line.net,
                row.tax + line.tax,
                row.gross + line.gross,
            )
    return tuple(rows[c] for c in _summary_order(rows))


def _by_class(lines: Sequence[TaxableLine]) -> list[tuple[str, list[TaxableLine]]]:
    groups: dict[str, list[TaxableLine]] = {}
    for line in lines:
        groups.setdefault(line.tax_class, []).append(line)
    return [(c, groups[c]) for c in _summary_order(groups)]


def _summary_order(classes: Iterable[str]) -> list[str]:
    """The known classes in TaxClass order, then a region's own classes by name."""
    known = [c.value for c in TaxClass]
    return sorted(classes, key=lambda c: (known.index(c) if c in known else len(known), c))

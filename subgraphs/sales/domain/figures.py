"""A sale's figures: lines, discounts and taxes worked out together, always adding up.

Order of work: each line's amount (unit price x quantity) less its own discounts; the
sale discounts against the subtotal of those; the sale discounts spread over the lines
in proportion (largest remainder, so no cent appears or vanishes); then tax on what is
left of each line. The same function runs while the sale is rung up (what the till
shows), to check a command before it is recorded, and at completion (what the receipt
says and what returns refund), so the three can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from subgraphs.sales.domain.discounts import Discount, check_fits
from subgraphs.sales.domain.money import ZERO, allocate
from subgraphs.sales.domain.tax import (
    PricingMode,
    TaxableLine,
    TaxPolicy,
    TaxSummaryRow,
    TaxTable,
    compute_tax,
)


@dataclass(frozen=True, slots=True)
class SaleLine:
    """A product as rung up: a snapshot the application resolved (barcode, SKU, search)."""

    line_id: str
    product_id: str
    sku: str
    name: str
    unit_price: Decimal
    tax_class: str
    quantity: int

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class LineFigures:
    """One receipt line. `amount` = unit price x quantity; `line_discount` and
    `sale_discount` (its share of the sale discounts) come off it; `net + tax = gross`;
    `gross` is what the customer pays for the line."""

    line_id: str
    product_id: str
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    tax_class: str
    rate: Decimal
    amount: Decimal
    line_discount: Decimal
    sale_discount: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True, slots=True)
class DiscountFigures:
    discount: Discount
    amount: Decimal


@dataclass(frozen=True, slots=True)
class SaleFigures:
    """Everything the till shows and the receipt prints, before tenders."""

    currency: str
    pricing: PricingMode
    lines: tuple[LineFigures, ...]
    discounts: tuple[DiscountFigures, ...]
    tax_summary: tuple[TaxSummaryRow, ...]
    subtotal: Decimal
    """The lines' amounts before any discount."""
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    """What the customer owes: the sum of the lines' gross."""


def compute_figures(
    lines: Sequence[SaleLine],
    discounts: Sequence[Discount],
    table: TaxTable,
    policy: TaxPolicy,
    currency: str,
) -> SaleFigures:
    """The figures of a sale; refuses discounts that take more than they discount."""
    mode = policy.mode
    discount_amounts: list[DiscountFigures] = []
    after_line: dict[str, Decimal] = {}
    line_discount: dict[str, Decimal] = {}
    for line in lines:
        own = [d for d in discounts if d.line_id == line.line_id]
        figures = [DiscountFigures(d, d.amount_on(line.amount, currency, mode)) for d in own]
        taken = sum((f.amount for f in figures), ZERO)
        check_fits(taken, line.amount, f"line {line.line_id} ({line.name})")
        discount_amounts.extend(figures)
        line_discount[line.line_id] = taken
        after_line[line.line_id] = line.amount - taken
    base = sum(after_line.values(), ZERO)
    sale_level = [
        DiscountFigures(d, d.amount_on(base, currency, mode))
        for d in discounts
        if d.line_id is None
    ]
    sale_taken = sum((f.amount for f in sale_level), ZERO)
    check_fits(sale_taken, base, "the sale's subtotal after line discounts")
    shares = allocate(sale_taken, [after_line[line.line_id] for line in lines], currency)
    share = {line.line_id: s for line, s in zip(lines, shares, strict=True)}
    taxable = [
        TaxableLine(line.line_id, line.tax_class, after_line[line.line_id] - share[line.line_id])
        for line in lines
    ]
    taxed = compute_tax(taxable, table, policy, currency)
    out = tuple(
        LineFigures(
            line_id=line.line_id,
            product_id=line.product_id,
            sku=line.sku,
            name=line.name,
            quantity=line.quantity,
            unit_price=line.unit_price,
            tax_class=line.tax_class,
            rate=t.rate,
            amount=line.amount,
            line_discount=line_discount[line.line_id],
            sale_discount=share[line.line_id],
            net=t.net,
            tax=t.tax,
            gross=t.gross,
        )
        for line, t in zip(lines, taxed.lines, strict=True)
    )
    order = {d.discount_id: i for i, d in enumerate(discounts)}
    all_discounts = sorted(
        [*discount_amounts, *sale_level], key=lambda f: order[f.discount.discount_id]
    )
    return SaleFigures(
        currency=currency,
        pricing=policy.pricing,
        lines=out,
        discounts=tuple(all_discounts),
        tax_summary=taxed.summary,
        subtotal=sum((line.amount for line in lines), ZERO),
        discount_total=sum((f.amount for f in all_discounts), ZERO),
        tax_total=taxed.tax,
        total=taxed.gross,
    )

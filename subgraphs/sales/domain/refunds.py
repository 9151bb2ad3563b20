"""Refund arithmetic: what a returned quantity of a sold line is worth, and where the
money goes back to.

A line is refunded at what the customer actually paid for it: its gross after its own
discounts and its share of the sale discounts, taxes included, pro rata of the quantity
returned. The last unit(s) returned take whatever is left of the line, so returning a
line in several goes refunds exactly what was paid for it, never a cent more or less.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from subgraphs.sales.domain.figures import LineFigures
from subgraphs.sales.domain.money import ZERO, RoundingMode, round_money
from subgraphs.sales.domain.tenders import TenderKind


class Disposition(StrEnum):
    RESTOCK = "RESTOCK"
    """Back on the shelf: inventory adds it to the store's stock."""
    WRITE_OFF = "WRITE_OFF"
    """Damaged or unsellable: inventory records the loss."""


class RefundMethod(StrEnum):
    ORIGINAL = "ORIGINAL"
    """To the tenders the sale was paid with: cards first, the rest in cash."""
    CASH = "CASH"


@dataclass(frozen=True, slots=True)
class RefundLine:
    """A returned quantity of one product; `line_id` None for a return without receipt."""

    line_id: str | None
    product_id: str
    sku: str
    name: str
    tax_class: str
    rate: Decimal
    quantity: int
    net: Decimal
    tax: Decimal
    gross: Decimal
    disposition: Disposition


@dataclass(frozen=True, slots=True)
class TenderRefund:
    kind: TenderKind
    amount: Decimal
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class Returned:
    """What has already been returned of one sold line."""

    quantity: int = 0
    tax: Decimal = ZERO
    gross: Decimal = ZERO


def refund_for(
    line: LineFigures,
    quantity: int,
    already: Returned,
    disposition: Disposition,
    currency: str,
    mode: RoundingMode,
) -> RefundLine:
    """The refund for `quantity` more units of `line` (the caller checked the quantity)."""
    if already.quantity + quantity == line.quantity:
        gross = line.gross - already.gross
        tax = line.tax - already.tax
    else:
        gross = round_money(line.gross * quantity / line.quantity, currency, mode)
        tax = round_money(line.tax * quantity / line.quantity, currency, mode)
    return RefundLine(
        line_id=line.line_id,
        product_id=line.product_id,
        sku=line.sku,
        name=line.name,
        tax_class=line.tax_class,
        rate=line.rate,
        quantity=quantity,
        net=gross - tax,
        tax=tax,
        gross=gross,
        disposition=disposition,
    )


def split_refund(
    amount: Decimal,
    method: RefundMethod,
    card_refundable: Sequence[tuple[str | None, Decimal]],
) -> tuple[TenderRefund, ...]:
    """Where `amount` goes: with ORIGINAL, back to the sale's cards (each up to what it
    paid less what was refunded to it before), the rest in cash; with CASH, all cash."""
    refunds: list[TenderRefund] = []
    left = amount
    if method is RefundMethod.ORIGINAL:
        for reference, refundable in card_refundable:
            part = min(left, refundable)
            if part > 0:
                refunds.append(TenderRefund(TenderKind.CARD, part, reference))
                left -= part
    if left > 0:
        refunds.append(TenderRefund(TenderKind.CASH, left))
    return tuple(refunds)

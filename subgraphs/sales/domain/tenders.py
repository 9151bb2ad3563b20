"""Tenders and settling a sale: cash, card, split until nothing is left to pay.

Only cash gives change: a card is charged at most the balance (overpaying is refused),
cash may be more than the balance and the difference is the change, worked out at
completion. A split is any sequence of tenders until the balance is zero.

Cash rounding (a store setting such as 0.05 in the Netherlands): what is left to pay
in cash after the cards is rounded to the increment once cash is tendered. The store
absorbs (or keeps) the difference; it is recorded as the receipt's `cashRounding` line
(negative: the customer paid less than the total), so the tax summary and the lines
stay untouched and `tendered - change = total + cashRounding` always holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from subgraphs.sales.domain.money import ZERO, round_to_increment
from subgraphs.sales.domain.tax import TaxPolicy


class TenderKind(StrEnum):
    CASH = "CASH"
    CARD = "CARD"


@dataclass(frozen=True, slots=True)
class Tender:
    """A payment handed over: for cash what the customer gave, for a card what was
    charged (with the terminal's reference)."""

    tender_id: str
    kind: TenderKind
    amount: Decimal
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    total: Decimal
    card: Decimal
    cash: Decimal
    cash_rounding: Decimal
    """Added to the total to get what is due (0 unless cash is tendered and rounded)."""
    remaining: Decimal
    """Still to pay (0 when settled)."""
    change: Decimal
    """Cash handed back (only cash gives change)."""

    @property
    def due(self) -> Decimal:
        return self.total + self.cash_rounding

    @property
    def settled(self) -> bool:
        return self.remaining == 0

    @property
    def tendered(self) -> Decimal:
        return self.card + self.cash


def cash_due(total: Decimal, card: Decimal, policy: TaxPolicy, currency: str) -> Decimal:
    """What a customer pays in cash for what the cards did not cover (rounded when the
    store rounds cash)."""
    portion = total - card
    if policy.cash_increment is None or portion <= 0:
        return max(portion, ZERO)
    return round_to_increment(portion, policy.cash_increment, currency, policy.mode)


def settle(
    total: Decimal, tenders: Sequence[Tender], policy: TaxPolicy, currency: str
) -> Settlement:
    card = sum((t.amount for t in tenders if t.kind is TenderKind.CARD), ZERO)
    cash = sum((t.amount for t in tenders if t.kind is TenderKind.CASH), ZERO)
    portion = total - card
    due_in_cash = cash_due(total, card, policy, currency) if cash > 0 else portion
    rounding = due_in_cash - portion
    balance = due_in_cash - cash
    return Settlement(
        total=total,
        card=card,
        cash=cash,
        cash_rounding=rounding,
        remaining=max(balance, ZERO),
        change=max(-balance, ZERO),
    )

"""X and Z reports: a shift's money, expected against counted per tender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from subgraphs.sales.domain.cash import CashCount
from subgraphs.sales.domain.tenders import TenderKind


@dataclass(frozen=True, slots=True)
class TenderBalance:
    """One tender's line of a report. `counted`/`over_short` only on a Z report
    (`over_short` negative: short)."""

    kind: TenderKind
    expected: Decimal
    counted: Decimal | None = None
    over_short: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ShiftReport:
    """Cash expected = float + cash tendered - change + pay-ins - pay-outs - drops -
    cash refunds; card expected = cards charged - card refunds."""

    kind: str
    """``X`` (mid-shift, changes nothing) or ``Z`` (closes the shift)."""
    shift_id: str
    register_id: str
    currency: str
    taken_by: str
    taken_at: datetime
    opening_float: Decimal
    cash_tendered: Decimal
    change_given: Decimal
    card_sales: Decimal
    pay_ins: Decimal
    pay_outs: Decimal
    drops: Decimal
    cash_refunds: Decimal
    card_refunds: Decimal
    sales: int
    refunds: int
    voids: int
    tenders: tuple[TenderBalance, ...]
    counted_cash: CashCount | None = None

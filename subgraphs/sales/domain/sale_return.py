"""Returns and refunds: lines of a past receipt, or goods without one.

Who checks what: the original Sale is the authority on how much of each line can still
be returned (`Sale.record_return`, in the same unit of work as the return): two returns
of one receipt at the same moment both write to the sale's stream, the expected-version
check lets one win, and the loser's retry sees the updated quantities. A separate view
of "returnable" quantities could be stale; the sale's own stream cannot.

The SaleReturn aggregate is the return document: what came back (restock or write off,
per line), what was refunded, how, and who approved it. Rules:

- never more than sold minus already returned (RETURN_EXCEEDS_SOLD);
- past the return window (days, the store's policy, passed in) only with an approver;
  a return without a receipt always needs one, and refunds in cash;
- each line is refunded at what was paid for it (after its discount and its share of
  the sale discounts, tax included, pro rata, see refunds.py);
- refund ORIGINAL goes back to the sale's cards first, the rest in cash; CASH all in
  cash. Cash refunds are cash-rounded like cash sales (the difference is the return's
  `cash_rounding`, absorbed by the store).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import ClassVar

from eventbus import Aggregate, DomainEvent, NotFound
from subgraphs.sales.domain.errors import ApprovalRequired, SaleInputError, StateConflict
from subgraphs.sales.domain.events import ReturnProcessed
from subgraphs.sales.domain.inputs import parse_quantity, parse_text
from subgraphs.sales.domain.money import ZERO, Money, exact_amount
from subgraphs.sales.domain.refunds import (
    Disposition,
    RefundLine,
    RefundMethod,
    Returned,
    TenderRefund,
    refund_for,
    split_refund,
)
from subgraphs.sales.domain.sale import Sale
from subgraphs.sales.domain.sale_state import SaleStatus
from subgraphs.sales.domain.tax import TaxableLine, TaxPolicy, TaxTable, compute_tax
from subgraphs.sales.domain.tenders import TenderKind, cash_due


@dataclass(frozen=True, slots=True)
class ReturnItem:
    """A quantity of a receipt's line coming back."""

    line_id: str
    quantity: int
    disposition: Disposition = Disposition.RESTOCK


@dataclass(frozen=True, slots=True)
class UnreceiptedItem:
    """Goods brought back without a receipt, refunded at today's shelf price."""

    product_id: str
    sku: str
    name: str
    tax_class: str
    unit_price: Money
    quantity: int
    disposition: Disposition = Disposition.RESTOCK


@dataclass(frozen=True, slots=True)
class Counter:
    """Where the return happens (it may be another register or shift than the sale's)."""

    store_id: str
    register_id: str
    shift_id: str


class SaleReturn(Aggregate):
    context: ClassVar[str] = "sales"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.processed: ReturnProcessed | None = None

    @property
    def document(self) -> ReturnProcessed:
        """The processed return (refused on a return that was never processed)."""
        if self.processed is None:
            raise NotFound(f"no return {self.id}", field="returnId")
        return self.processed

    @property
    def refunded(self) -> Decimal:
        """What the customer got back, all tenders together."""
        return sum((r.amount for r in self.document.tender_refunds), ZERO)

    def refunded_by(self, kind: TenderKind) -> Decimal:
        return sum((r.amount for r in self.document.tender_refunds if r.kind is kind), ZERO)

    @classmethod
    def against_receipt(
        cls,
        return_id: str,
        sale: Sale,
        items: Sequence[ReturnItem],
        *,
        at: Counter,
        refund_method: RefundMethod,
        return_window_days: int,
        reason: str,
        by: str,
        now: datetime,
        command_id: str,
        approved_by: str | None = None,
    ) -> SaleReturn:
        """Return lines of `sale`; also records the return on the sale (save both)."""
        completion = sale.completion
        if sale.status is not SaleStatus.COMPLETED or completion is None:
            raise StateConflict(
                "only a completed sale's lines can be returned", reason="SALE_NOT_COMPLETED"
            )
        if not items:
            raise SaleInputError("name at least one line to return", reason="NOTHING_TO_RETURN")
        if now > completion.at + timedelta(days=return_window_days) and not approved_by:
            raise ApprovalRequired(
                f"receipt {completion.receipt_number} is past the {return_window_days}-day "
                "return window: a supervisor must approve this return",
                reason="RETURN_WINDOW_PASSED",
                field="approvedBy",
            )
        figures = {line.line_id: line for line in completion.figures.lines}
        done = dict(sale.returned)
        lines: list[RefundLine] = []
        for item in items:
            line = figures.get(item.line_id)
            if line is None:
                raise SaleInputError(
                    f"receipt {completion.receipt_number} has no line {item.line_id!r}",
                    reason="UNKNOWN_LINE",
                    field="lineId",
                )
            before = done.get(item.line_id, Returned())
            quantity = parse_quantity(item.quantity)
            if before.quantity + quantity > line.quantity:
                left = line.quantity - before.quantity
                raise SaleInputError(
                    f"cannot return {quantity} x {line.name}: {line.quantity} sold, "
                    f"{left} still returnable",
                    reason="RETURN_EXCEEDS_SOLD",
                    field="quantity",
                    line=item.line_id,
                    returnable=left,
                )
            refund = refund_for(
                line, quantity, before, item.disposition, sale.currency, sale.policy.mode
            )
            lines.append(refund)
            done[item.line_id] = Returned(
                before.quantity + quantity, before.tax + refund.tax, before.gross + refund.gross
            )
        total = sum((line.gross for line in lines), ZERO)
        refunds = split_refund(total, refund_method, sale.card_refundable())
        refunds, rounding = _round_cash(refunds, sale.policy, sale.currency)
        sale.record_return(return_id, lines, refunds, by=by, now=now, command_id=command_id)
        return cls._processed(
            return_id,
            at,
            sale.currency,
            lines,
            refunds,
            rounding,
            reason=reason,
            by=by,
            now=now,
            command_id=command_id,
            approved_by=approved_by,
            sale_id=sale.id,
            receipt_number=completion.receipt_number,
        )

    @classmethod
    def without_receipt(
        cls,
        return_id: str,
        items: Sequence[UnreceiptedItem],
        *,
        at: Counter,
        currency: str,
        tax_table: TaxTable,
        policy: TaxPolicy,
        reason: str,
        approved_by: str | None,
        by: str,
        now: datetime,
        command_id: str,
    ) -> SaleReturn:
        """Goods without a receipt: always a supervisor's call, always refunded in cash."""
        if not approved_by:
            raise ApprovalRequired(
                "a return without a receipt needs a supervisor's approval",
                reason="RETURN_WITHOUT_RECEIPT",
                field="approvedBy",
            )
        if not items:
            raise SaleInputError("name at least one item to return", reason="NOTHING_TO_RETURN")
        amounts = [
            TaxableLine(
                str(i),
                item.tax_class,
                exact_amount(item.unit_price, currency, field="unitPrice")
                * parse_quantity(item.quantity),
            )
            for i, item in enumerate(items)
        ]
        taxed = compute_tax(amounts, tax_table, policy, currency)
        lines = [
            RefundLine(
                line_id=None,
                product_id=parse_text(item.product_id, "productId"),
                sku=parse_text(item.sku, "sku"),
                name=parse_text(item.name, "name"),
                tax_class=item.tax_class,
                rate=t.rate,
                quantity=item.quantity,
                net=t.net,
                tax=t.tax,
                gross=t.gross,
                disposition=item.disposition,
            )
            for item, t in zip(items, taxed.lines, strict=True)
        ]
        refunds = split_refund(taxed.gross, RefundMethod.CASH, [])
        refunds, rounding = _round_cash(refunds, policy, currency)
        return cls._processed(
            return_id,
            at,
            currency,
            lines,
            refunds,
            rounding,
            reason=reason,
            by=by,
            now=now,
            command_id=command_id,
            approved_by=approved_by,
            sale_id=None,
            receipt_number=None,
        )

    @classmethod
    def _processed(
        cls,
        return_id: str,
        at: Counter,
        currency: str,
        lines: Sequence[RefundLine],
        refunds: Sequence[TenderRefund],
        rounding: Decimal,
        *,
        reason: str,
        by: str,
        now: datetime,
        command_id: str,
        approved_by: str | None,
        sale_id: str | None,
        receipt_number: str | None,
    ) -> SaleReturn:
        document = cls(return_id)
        document._record(
            ReturnProcessed(
                command_id=command_id,
                by=by,
                at=now,
                return_id=return_id,
                store_id=at.store_id,
                register_id=at.register_id,
                shift_id=at.shift_id,
                currency=currency,
                sale_id=sale_id,
                receipt_number=receipt_number,
                lines=tuple(lines),
                tender_refunds=tuple(refunds),
                cash_rounding=rounding,
                approved_by=approved_by or None,
                reason=parse_text(reason, "reason"),
            )
        )
        return document

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, ReturnProcessed):
            self.processed = event


def _round_cash(
    refunds: Sequence[TenderRefund], policy: TaxPolicy, currency: str
) -> tuple[tuple[TenderRefund, ...], Decimal]:
    """Cash refunds rounded to the store's cash increment; returns the difference."""
    out: list[TenderRefund] = []
    rounding = ZERO
    for refund in refunds:
        if refund.kind is TenderKind.CASH:
            rounded = cash_due(refund.amount, ZERO, policy, currency)
            rounding += rounded - refund.amount
            refund = TenderRefund(TenderKind.CASH, rounded)
        if refund.amount > 0:
            out.append(refund)
    return tuple(out), rounding

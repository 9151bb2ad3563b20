"""The Sale aggregate: a walk-in sale rung up at a register, paid and completed.

Life: OPEN (lines, discounts, customer, tenders) <-> PARKED, then COMPLETED (a receipt
number and every figure of the receipt recorded at once) or VOIDED. Once a tender is
taken the basket is frozen: the customer has paid against these figures, so changing
them means voiding the sale (with tenders, the application asks for `sales:void`).
A completed sale keeps what has been returned of each line, so that concurrent returns
of one receipt conflict on this stream's version instead of over-refunding.

Every command carries the till's command id: the first time it is applied, the
outcome (the new line's, discount's or tender's id; the receipt number) is recorded
with the event; the same id again changes nothing and returns the same outcome, even
after a reload, so a till that retries never rings anything up twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from subgraphs.sales.domain.discounts import (
    DEFAULT_APPROVAL_THRESHOLD,
    Discount,
    DiscountKind,
    discount_value,
    effective_percent,
    parse_reason,
    require_approval,
)
from subgraphs.sales.domain.errors import SaleInputError, StateConflict
from subgraphs.sales.domain.events import (
    CustomerAttached,
    CustomerDetached,
    DiscountApplied,
    DiscountRemoved,
    LineAdded,
    LineQuantityChanged,
    LineRemoved,
    SaleCompleted,
    SaleParked,
    SaleResumed,
    SaleReturnRecorded,
    SaleStarted,
    SaleVoided,
    TenderAdded,
)
from subgraphs.sales.domain.figures import SaleFigures, SaleLine, compute_figures
from subgraphs.sales.domain.inputs import parse_quantity, parse_text
from subgraphs.sales.domain.money import ZERO, Money, exact_amount, parse_currency
from subgraphs.sales.domain.refunds import RefundLine, TenderRefund
from subgraphs.sales.domain.sale_state import SaleState, SaleStatus
from subgraphs.sales.domain.tax import TaxPolicy, TaxTable
from subgraphs.sales.domain.tenders import Tender, TenderKind


class Sale(SaleState):
    """The commands of a sale (its state and views are in `SaleState`)."""

    # -- starting ---------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        sale_id: str,
        *,
        store_id: str,
        register_id: str,
        shift_id: str,
        currency: str,
        tax_table: TaxTable,
        policy: TaxPolicy,
        by: str,
        now: datetime,
        command_id: str,
    ) -> Sale:
        """A new walk-in sale at a register, within its open shift (the application
        checked the shift with `Shift.open_sale` in the same unit of work)."""
        code = parse_currency(currency)
        policy.check(code)
        sale = cls(sale_id)
        sale._record(
            SaleStarted(
                sale_id=sale_id,
                command_id=command_id,
                by=by,
                at=now,
                store_id=store_id,
                register_id=register_id,
                shift_id=shift_id,
                currency=code,
                tax_region=tax_table.region,
                tax_rates=dict(tax_table.rates),
                policy=policy,
            )
        )
        return sale

    # -- the basket -------------------------------------------------------------------

    def attach_customer(self, customer_id: str, *, by: str, now: datetime, command_id: str) -> str:
        if command_id in self._outcomes:
            return self._outcomes[command_id]
        self._require_open("attach a customer to")
        customer = parse_text(customer_id, "customerId")
        self._record(CustomerAttached(**self._meta(by, now, command_id), customer_id=customer))
        return ""

    def detach_customer(self, *, by: str, now: datetime, command_id: str) -> str:
        if command_id in self._outcomes:
            return self._outcomes[command_id]
        self._require_open("detach the customer from")
        if self.customer_id is None:
            raise StateConflict(
                "this sale has no customer to detach", reason="NO_CUSTOMER", field="customerId"
            )
        self._record(
            CustomerDetached(**self._meta(by, now, command_id), customer_id=self.customer_id)
        )
        return ""

    def add_line(
        self,
        *,
        product_id: str,
        sku: str,
        name: str,
        unit_price: Money,
        tax_class: str,
        quantity: int,
        by: str,
        now: datetime,
        command_id: str,
    ) -> str:
        """Ring up a product snapshot; returns the new line's id (L1, L2, ...)."""
        if command_id in self._outcomes:
            return self._outcomes[command_id]
        self._require_basket_editable("add a line to")
        price = exact_amount(unit_price, self.currency, field="unitPrice", allow_zero=True)
        self.table.rate_for(tax_class)
        line = SaleLine(
            line_id=f"L{self._counters['L'] + 1}",
            product_id=parse_text(product_id, "productId"),
            sku=parse_text(sku, "sku"),
            name=parse_text(name, "name"),
            unit_price=price,
            tax_class=tax_class,
            quantity=parse_quantity(quantity),
        )
        self._check([*self.lines.values(), line], list(self.discounts.values()))
        self._record(LineAdded(**self._meta(by, now, command_id), line=line))
        return line.line_id

    def change_quantity(
        self, line_id: str, quantity: int, *, by: str, now: datetime, command_id: str
    ) -> str:
        if command_id in self._outcomes:
            return self._outcomes[command_id]
        self._require_basket_editable("change a quantity in")
        line = self._line(line_id)
        changed = dataclasses.replace(line, quantity=parse_quantity(quantity))
        lines = [changed if x.line_id == line_id else x for x in self.lines.values()]
        self._check(lines, list(self.discounts.values()))
        self._record(
            LineQuantityChanged(
                **self._meta(by, now, command_id), line_id=line_id, quantity=quantity
            )
        )
        return ""

    def remove_line(self, line_id: str, *, by: str, now: datetime, command_id: str) -> str:
        """Take a line off; its own discounts go with it."""
        if command_id in self._outcomes:
            return self._outcomes[command_id]
        self._require_basket_editable("remove a line from")
        self._line(line_id)
        lines = [x for x in self.lines.values() if x.line_id != line_id]
        self._check(lines, [d for d in self.discounts.values() if d.line_id != line_id])
        self._record(LineRemoved(**self._meta(by, now, command_id), line_id=line_id))
        return ""

    def apply_discount(
        self,
        *,
        line_id: str | None,
        kind: DiscountKind,
        value: Decimal | Money,
        reason: str,
        by: str,
        now: datetime,
        command_id: str,
        approved_by: str | None = None,
        promotion_code: str | None = None,
        approval_threshold: Decimal = DEFAULT_APPROVAL_THRESHOLD,
    ) -> str:
        """Discount a line (`line_id`) or the whole sale (None); returns its id (D1, ...).
        Past `approval_threshold` percent it needs `approved_by` (see discounts.py)."""
        if command_id in self._outcomes:
            return self._outcomes[command_id]
        self._require_basket_editable("discount")
        if line_id is not None:
            self._line(line_id)
        discount = Discount(
            discount_id=f"D{self._counters['D'] + 1}",
            line_id=line_id,
            kind=kind,
            value=discount_value(kind, value, self.currency),
            reason=parse_reason(reason),
            approved_by=approved_by or None,
            promotion_code=promotion_code,
        )
        discounts = [*self.discounts.values(), discount]
        after = self._check(list(self.lines.values()), discounts)
        taken = next(
            f.amount for f in after.discounts if f.discount.discount_id == discount.discount_id
        )
        if line_id is None:
            base = sum((x.amount - x.line_discount for x in after.lines), ZERO)
        else:
            figures = next(x for x in after.lines if x.line_id == line_id)
            base = figures.amount - figures.line_discount + taken
        percent = discount.value if kind is DiscountKind.PERCENT else effective_percent(taken, base)
        require_approval(percent, approval_threshold, discount.approved_by, promotion_code)
        self._record(DiscountApplied(**self._meta(by, now, command_id), discount=discount))
        return discount.discount_id

    def remove_discount(self, discount_id: str, *, by: str, now: datetime, command_id: str) -> str:
        if command_id in self._outcomes:
            return self._outcomes[command_id]
        self._require_basket_editable("remove a discount from")
        if discount_id not in self.discounts:
            raise SaleInputError(
                f"this sale has no discount {discount_id!r}",
                reason="UNKNOWN_DISCOUNT",
                field="discountId",
            )
        self._record(DiscountRemoved(**self._meta(by, now, command_id), discount_id=discount_id))
        return ""

    # -- parking and voiding ----------------------------------------------------------

    def park(self, *, by: str, now: datetime, command_id: str) -> str:
        """Set the sale aside (the till serves someone else); it stays open on the shift."""
        if command_id in self._outcomes:
            return self._outcomes[command_id]
        self._require_basket_editable("park")
        if not self.lines:
            raise StateConflict("an empty sale cannot be parked", reason="EMPTY_SALE")
        self._record(SaleParked(**self._meta(by, now, command_id)))
        return ""

    def resume(self, *, by: str, now: datetime, command_id: str) -> str:
        if command_id in self._outcomes:
            return self._outcomes[command_id]
        if self.status is not SaleStatus.PARKED:
            raise StateConflict(
                f"only a parked sale can be resumed; this one is {self.status}",
                reason="SALE_NOT_PARKED",
            )
        self._record(SaleResumed(**self._meta(by, now, command_id)))
        return ""

    @property
    def void_needs_scope(self) -> bool:
        """True when voiding takes money back out: the voider needs `sales:void`."""
        return bool(self.tenders)

    def void(self, reason: str, *, by: str, now: datetime, command_id: str) -> str:
        if command_id in self._outcomes:
            return self._outcomes[command_id]
        if self.status not in (SaleStatus.OPEN, SaleStatus.PARKED):
            raise StateConflict(
                f"a {self.status} sale cannot be voided: return its lines instead",
                reason="SALE_NOT_OPEN",
            )
        self._record(
            SaleVoided(
                **self._meta(by, now, command_id),
                reason=parse_text(reason, "reason"),
                had_tenders=bool(self.tenders),
            )
        )
        return ""

    # -- paying and completing --------------------------------------------------------

    def add_tender(
        self,
        kind: TenderKind,
        amount: Money,
        *,
        by: str,
        now: datetime,
        command_id: str,
        reference: str | None = None,
    ) -> str:
        """Take a payment; returns its id (T1, ...). Only cash may exceed the balance."""
        if command_id in self._outcomes:
            return self._outcomes[command_id]
        self._require_open("take a payment for")
        value = exact_amount(amount, self.currency, field="amount")
        settlement = self.settlement()
        if settlement.settled:
            raise StateConflict(
                "nothing is left to pay: complete the sale", reason="NOTHING_TO_PAY"
            )
        if kind is TenderKind.CARD:
            balance = settlement.total - settlement.tendered
            if value > balance:
                raise SaleInputError(
                    f"a card payment of {value} is more than the balance of {balance}: "
                    "only cash gives change",
                    reason="CARD_OVERPAYMENT",
                    field="amount",
                    balance=str(balance),
                )
            ref = parse_text(reference or "", "reference")
        else:
            ref = None
        tender = Tender(f"T{self._counters['T'] + 1}", kind, value, ref)
        self._record(TenderAdded(**self._meta(by, now, command_id), tender=tender))
        return tender.tender_id

    def complete(
        self, receipt_number: str, *, by: str, now: datetime, command_id: str
    ) -> SaleCompleted:
        """Commit the sale with the receipt number given (from `ReceiptSequence`); the
        event carries every figure the receipt and the reports need."""
        if command_id in self._outcomes and self.completion is not None:
            return self.completion
        self._require_open("complete")
        if not self.lines:
            raise StateConflict("there is nothing to sell: add a line", reason="EMPTY_SALE")
        settlement = self.settlement()
        if not settlement.settled:
            raise StateConflict(
                f"{settlement.remaining} {self.currency} is still to pay: "
                "take a tender before completing",
                reason="BALANCE_NOT_ZERO",
                remaining=str(settlement.remaining),
            )
        completed = SaleCompleted(
            **self._meta(by, now, command_id),
            receipt_number=parse_text(receipt_number, "receiptNumber"),
            store_id=self.store_id,
            register_id=self.register_id,
            shift_id=self.shift_id,
            customer_id=self.customer_id,
            figures=self.figures(),
            tenders=tuple(self.tenders),
            settlement=settlement,
        )
        self._record(completed)
        return completed

    # -- returns against the receipt --------------------------------------------------

    def record_return(
        self,
        return_id: str,
        lines: Sequence[RefundLine],
        tender_refunds: Sequence[TenderRefund],
        *,
        by: str,
        now: datetime,
        command_id: str,
    ) -> str:
        """Note a return (built by `sale_return.return_from_receipt`): refused when a
        line would be returned more often than it was sold."""
        if command_id in self._outcomes:
            return self._outcomes[command_id]
        if self.status is not SaleStatus.COMPLETED:
            raise StateConflict(
                "only a completed sale's lines can be returned", reason="SALE_NOT_COMPLETED"
            )
        wanted: dict[str, int] = {}
        for line in lines:
            if line.line_id is None:
                raise SaleInputError(
                    "a receipted return names the sale's lines", reason="UNKNOWN_LINE"
                )
            wanted[line.line_id] = wanted.get(line.line_id, 0) + line.quantity
        for line_id, quantity in wanted.items():
            left = self.returnable(line_id)
            if quantity > left:
                sold = self.lines[line_id]
                raise SaleInputError(
                    f"cannot return {quantity} x {sold.name}: {sold.quantity} sold, "
                    f"{left} still returnable",
                    reason="RETURN_EXCEEDS_SOLD",
                    field="quantity",
                    line=line_id,
                    returnable=left,
                )
        self._record(
            SaleReturnRecorded(
                **self._meta(by, now, command_id),
                return_id=return_id,
                lines=tuple(lines),
                tender_refunds=tuple(tender_refunds),
            )
        )
        return return_id

    # -- guards -----------------------------------------------------------------------

    def _meta(self, by: str, now: datetime, command_id: str) -> dict[str, Any]:
        return {"sale_id": self.id, "by": by, "at": now, "command_id": command_id}

    def _require_open(self, action: str) -> None:
        if self.status is SaleStatus.OPEN:
            return
        hint = " resume it first" if self.status is SaleStatus.PARKED else ""
        raise StateConflict(
            f"cannot {action} a {self.status} sale;{hint or ' start a new sale'}",
            reason="SALE_NOT_OPEN",
            status=str(self.status),
        )

    def _require_basket_editable(self, action: str) -> None:
        self._require_open(action)
        if self.tenders:
            raise StateConflict(
                f"cannot {action} a sale that has taken a payment: "
                "complete it, or void it and ring it up again",
                reason="PAYMENT_STARTED",
            )

    def _check(self, lines: list[SaleLine], discounts: list[Discount]) -> SaleFigures:
        return compute_figures(lines, discounts, self.table, self.policy, self.currency)

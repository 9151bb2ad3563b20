"""The cash shift of one register: float, cash movements, sales and refunds, X and Z.

Opened with a counted float; cash drops (to the safe), pay-ins and pay-outs each need
a reason; every sale started at the register is opened on the shift and every
completed sale, void and refund is recorded on it, by the application, in the same
unit of work as the sale (or return) itself. So the shift always knows which sales are
still open (parked ones included) and refuses to close while one is: a sale must be
completed or voided within its shift. The X report notes that it was taken and changes
nothing else; the Z report closes the shift with expected against counted per tender.

One open shift per register is kept by `RegisterShiftClaim` (register_claim.py).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from eventbus import Aggregate, DomainEvent
from subgraphs.sales.domain.cash import CashCount
from subgraphs.sales.domain.errors import SaleInputError, StateConflict
from subgraphs.sales.domain.money import ZERO, Money, exact_amount, parse_currency
from subgraphs.sales.domain.shift_events import (
    CashMovementRecorded,
    RefundRecordedOnShift,
    SaleOpenedOnShift,
    SaleRecordedOnShift,
    SaleVoidedOnShift,
    ShiftClosed,
    ShiftOpened,
    XReportTaken,
)
from subgraphs.sales.domain.shift_report import ShiftReport, TenderBalance
from subgraphs.sales.domain.tenders import TenderKind


class MovementKind(StrEnum):
    DROP = "DROP"
    PAY_IN = "PAY_IN"
    PAY_OUT = "PAY_OUT"


class ShiftStatus(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


class Shift(Aggregate):
    context: ClassVar[str] = "sales"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.status: ShiftStatus | None = None
        self.register_id = ""
        self.store_id = ""
        self.currency = ""
        self.opening_float = CashCount(ZERO)
        self.totals: dict[str, Decimal] = dict.fromkeys(
            (
                "cash_tendered",
                "change",
                "card",
                "pay_ins",
                "pay_outs",
                "drops",
                "cash_refunds",
                "card_refunds",
            ),
            ZERO,
        )
        self.open_sales: set[str] = set()
        self.recorded: set[str] = set()
        self.counts = {"sales": 0, "refunds": 0, "voids": 0}
        self.z_report: ShiftReport | None = None
        self.x_reports: dict[str, ShiftReport] = {}
        self._commands: set[str] = set()

    @classmethod
    def open(
        cls,
        shift_id: str,
        *,
        register_id: str,
        store_id: str,
        currency: str,
        opening_float: CashCount,
        by: str,
        now: datetime,
        command_id: str,
    ) -> Shift:
        """A new shift with the float counted into the drawer (see `count_cash`)."""
        shift = cls(shift_id)
        shift._record(
            ShiftOpened(
                shift_id=shift_id,
                command_id=command_id,
                by=by,
                at=now,
                register_id=register_id,
                store_id=store_id,
                currency=parse_currency(currency),
                opening_float=opening_float,
            )
        )
        return shift

    # -- cash movements ---------------------------------------------------------------

    def move_cash(
        self,
        kind: MovementKind,
        amount: Money,
        reason: str,
        *,
        by: str,
        now: datetime,
        command_id: str,
    ) -> None:
        """A drop, pay-in or pay-out; what leaves the drawer cannot exceed what it holds."""
        if command_id in self._commands:
            return
        self._require_open(f"record a {kind.value.lower().replace('_', '-')} on")
        value = exact_amount(amount, self.currency, field="amount")
        text = " ".join(reason.split())
        if not text:
            raise SaleInputError(
                "a cash movement needs a reason (e.g. 'safe drop', 'window cleaner')",
                reason="REASON_REQUIRED",
                field="reason",
            )
        if kind is not MovementKind.PAY_IN:
            self._require_cash(value, kind.value.lower())
        self._record(
            CashMovementRecorded(
                **self._meta(by, now, command_id), kind=kind.value, amount=value, reason=text
            )
        )

    # -- sales and refunds ------------------------------------------------------------

    def open_sale(self, sale_id: str, *, by: str, now: datetime, command_id: str) -> None:
        """A sale starts at this register: only while the shift is open."""
        if sale_id in self.open_sales or sale_id in self.recorded:
            return
        self._require_open("start a sale on")
        self._record(SaleOpenedOnShift(**self._meta(by, now, command_id), sale_id=sale_id))

    def record_sale(
        self,
        sale_id: str,
        *,
        cash_tendered: Decimal,
        change: Decimal,
        card: Decimal,
        by: str,
        now: datetime,
        command_id: str,
    ) -> None:
        """A completed sale's money (from `SaleCompleted.settlement`)."""
        if sale_id in self.recorded:
            return
        self._require_started(sale_id)
        self._record(
            SaleRecordedOnShift(
                **self._meta(by, now, command_id),
                sale_id=sale_id,
                cash_tendered=cash_tendered,
                change=change,
                card=card,
            )
        )

    def record_void(self, sale_id: str, *, by: str, now: datetime, command_id: str) -> None:
        """A voided sale: it no longer keeps the shift open (any cash went back)."""
        if sale_id in self.recorded:
            return
        self._require_started(sale_id)
        self._record(SaleVoidedOnShift(**self._meta(by, now, command_id), sale_id=sale_id))

    def record_refund(
        self,
        return_id: str,
        *,
        cash: Decimal,
        card: Decimal,
        by: str,
        now: datetime,
        command_id: str,
    ) -> None:
        """A return refunded at this register (whichever shift sold the goods)."""
        if return_id in self.recorded:
            return
        self._require_open("refund on")
        if cash > 0:
            self._require_cash(cash, "cash refund")
        self._record(
            RefundRecordedOnShift(
                **self._meta(by, now, command_id), return_id=return_id, cash=cash, card=card
            )
        )

    # -- reports ----------------------------------------------------------------------

    @property
    def expected_cash(self) -> Decimal:
        t = self.totals
        return (
            self.opening_float.total
            + t["cash_tendered"]
            - t["change"]
            + t["pay_ins"]
            - t["pay_outs"]
            - t["drops"]
            - t["cash_refunds"]
        )

    @property
    def expected_card(self) -> Decimal:
        return self.totals["card"] - self.totals["card_refunds"]

    def figures(self, *, by: str, now: datetime) -> ShiftReport:
        """The X figures as they stand, recording nothing (what a read model shows)."""
        return self.z_report or self._report("X", by, now)

    def x_report(self, *, by: str, now: datetime, command_id: str) -> ShiftReport:
        """Mid-shift figures; records only that the report was taken. The same command
        again answers the report it took then."""
        if command_id in self.x_reports:
            return self.x_reports[command_id]
        self._require_open("take an X report of")
        report = self._report("X", by, now)
        if command_id not in self._commands:
            self._record(XReportTaken(**self._meta(by, now, command_id), report=report))
        return report

    def close(
        self,
        counted_cash: CashCount,
        *,
        by: str,
        now: datetime,
        command_id: str,
        counted_card: Money | None = None,
    ) -> ShiftReport:
        """The Z report. `counted_card`: the card terminal's batch total (None: taken to
        be what the sales say). Refused while a sale is open or parked."""
        if self.z_report is not None and command_id in self._commands:
            return self.z_report
        self._require_open("close")
        if self.open_sales:
            waiting = sorted(self.open_sales)
            raise StateConflict(
                f"{len(waiting)} sale(s) are still open on this shift: complete or void "
                f"them before closing ({', '.join(waiting[:5])})",
                reason="SHIFT_HAS_OPEN_SALE",
                sales=waiting,
            )
        card = (
            self.expected_card
            if counted_card is None
            else exact_amount(counted_card, self.currency, field="countedCard", allow_zero=True)
        )
        report = self._report("Z", by, now, counted_cash, card)
        self._record(ShiftClosed(**self._meta(by, now, command_id), report=report))
        return report

    def _report(
        self,
        kind: str,
        by: str,
        now: datetime,
        counted_cash: CashCount | None = None,
        counted_card: Decimal | None = None,
    ) -> ShiftReport:
        def line(tender: TenderKind, expected: Decimal, counted: Decimal | None) -> TenderBalance:
            if counted is None:
                return TenderBalance(tender, expected)
            return TenderBalance(tender, expected, counted, counted - expected)

        t = self.totals
        return ShiftReport(
            kind=kind,
            shift_id=self.id,
            register_id=self.register_id,
            currency=self.currency,
            taken_by=by,
            taken_at=now,
            opening_float=self.opening_float.total,
            cash_tendered=t["cash_tendered"],
            change_given=t["change"],
            card_sales=t["card"],
            pay_ins=t["pay_ins"],
            pay_outs=t["pay_outs"],
            drops=t["drops"],
            cash_refunds=t["cash_refunds"],
            card_refunds=t["card_refunds"],
            sales=self.counts["sales"],
            refunds=self.counts["refunds"],
            voids=self.counts["voids"],
            tenders=(
                line(
                    TenderKind.CASH,
                    self.expected_cash,
                    None if counted_cash is None else counted_cash.total,
                ),
                line(TenderKind.CARD, self.expected_card, counted_card),
            ),
            counted_cash=counted_cash,
        )

    # -- guards -----------------------------------------------------------------------

    def _meta(self, by: str, now: datetime, command_id: str) -> dict[str, Any]:
        return {"shift_id": self.id, "by": by, "at": now, "command_id": command_id}

    def _require_open(self, action: str) -> None:
        if self.status is not ShiftStatus.OPEN:
            raise StateConflict(
                f"cannot {action} a shift that is not open: open a shift at this register",
                reason="SHIFT_NOT_OPEN",
            )

    def _require_started(self, sale_id: str) -> None:
        if sale_id not in self.open_sales:
            raise StateConflict(
                f"sale {sale_id} was not started on shift {self.id}",
                reason="SALE_NOT_ON_SHIFT",
            )

    def _require_cash(self, amount: Decimal, what: str) -> None:
        if amount > self.expected_cash:
            raise StateConflict(
                f"a {what} of {amount} is more than the {self.expected_cash} "
                f"{self.currency} the drawer should hold",
                reason="NOT_ENOUGH_CASH",
                field="amount",
            )

    # -- state ------------------------------------------------------------------------

    def apply(self, event: DomainEvent) -> None:
        t = self.totals
        if isinstance(event, ShiftOpened):
            self.status = ShiftStatus.OPEN
            self.register_id, self.store_id = event.register_id, event.store_id
            self.currency, self.opening_float = event.currency, event.opening_float
        elif isinstance(event, CashMovementRecorded):
            key = {"DROP": "drops", "PAY_IN": "pay_ins", "PAY_OUT": "pay_outs"}[event.kind]
            t[key] += event.amount
        elif isinstance(event, SaleOpenedOnShift):
            self.open_sales.add(event.sale_id)
        elif isinstance(event, SaleRecordedOnShift):
            self.open_sales.discard(event.sale_id)
            self.recorded.add(event.sale_id)
            t["cash_tendered"] += event.cash_tendered
            t["change"] += event.change
            t["card"] += event.card
            self.counts["sales"] += 1
        elif isinstance(event, SaleVoidedOnShift):
            self.open_sales.discard(event.sale_id)
            self.recorded.add(event.sale_id)
            self.counts["voids"] += 1
        elif isinstance(event, RefundRecordedOnShift):
            self.recorded.add(event.return_id)
            t["cash_refunds"] += event.cash
            t["card_refunds"] += event.card
            self.counts["refunds"] += 1
        elif isinstance(event, XReportTaken):
            self.x_reports[event.command_id] = event.report
        elif isinstance(event, ShiftClosed):
            self.status = ShiftStatus.CLOSED
            self.z_report = event.report
        command_id = getattr(event, "command_id", None)
        if isinstance(command_id, str):
            self._commands.add(command_id)

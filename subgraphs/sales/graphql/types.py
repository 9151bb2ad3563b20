"""Shifts and their X/Z reports, promotions, returns: built from the domain's aggregates
(folded from the read model's events, or the write model's when a payload answers
before the projection caught up), so they show the domain's own figures."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry.types import Info

from subgraphs.hosting import history
from subgraphs.hosting.history import HistoryConnection
from subgraphs.hosting.money import Money
from subgraphs.sales.domain import DiscountKind, ShiftReport, ShiftStatus
from subgraphs.sales.domain import Promotion as PromotionAggregate
from subgraphs.sales.domain import SaleReturn as SaleReturnAggregate
from subgraphs.sales.domain import Shift as ShiftAggregate
from subgraphs.sales.domain.events import ReturnProcessed
from subgraphs.sales.graphql.inputs import RefundMethod, ReturnDisposition
from subgraphs.sales.graphql.sale_types import (
    DiscountType,
    Receipt,
    Sale,
    TenderKind,
    money,
)
from subgraphs.sales.graphql.stubs import Product, Register, StaffMember, Store, staff

__all__ = ["RefundMethod"]


@strawberry.enum(description="OPEN (selling) or CLOSED (Z report taken).")
class ShiftState(Enum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


@strawberry.type(description="One tender's line of a report; counted and over/short on a Z.")
class TenderBalance:
    kind: TenderKind
    expected: Money
    counted: Money | None
    over_short: Money | None = strawberry.field(description="Negative: short.")


@strawberry.type(description="How many notes or coins of one face value were counted.")
class DenominationCount:
    value: str
    count: int


@strawberry.type(
    name="ShiftReport",
    description="A shift's money: cash expected = float + cash tendered - change + pay-ins "
    "- pay-outs - drops - cash refunds; card expected = card sales - card refunds.",
)
class ShiftReportType:
    kind: str = strawberry.field(description="X (mid-shift) or Z (the close).")
    shift_id: strawberry.ID
    register: Register
    taken_by: StaffMember | None
    taken_at: datetime
    opening_float: Money
    cash_tendered: Money
    change_given: Money
    card_sales: Money
    pay_ins: Money
    pay_outs: Money
    drops: Money
    cash_refunds: Money
    card_refunds: Money
    sales: int
    refunds: int
    voids: int
    tenders: list[TenderBalance]
    counted_cash: Money | None
    counted_denominations: list[DenominationCount]

    @classmethod
    def of(cls, report: ShiftReport) -> ShiftReportType:
        cur = report.currency

        def m(value: Decimal) -> Money:
            return money(value, cur)

        counted = report.counted_cash
        return cls(
            kind=report.kind,
            shift_id=strawberry.ID(report.shift_id),
            register=Register(id=strawberry.ID(report.register_id)),
            taken_by=staff(report.taken_by),
            taken_at=report.taken_at,
            opening_float=m(report.opening_float),
            cash_tendered=m(report.cash_tendered),
            change_given=m(report.change_given),
            card_sales=m(report.card_sales),
            pay_ins=m(report.pay_ins),
            pay_outs=m(report.pay_outs),
            drops=m(report.drops),
            cash_refunds=m(report.cash_refunds),
            card_refunds=m(report.card_refunds),
            sales=report.sales,
            refunds=report.refunds,
            voids=report.voids,
            tenders=[
                TenderBalance(
                    kind=TenderKind(t.kind.value),
                    expected=m(t.expected),
                    counted=m(t.counted) if t.counted is not None else None,
                    over_short=m(t.over_short) if t.over_short is not None else None,
                )
                for t in report.tenders
            ],
            counted_cash=m(counted.total) if counted is not None else None,
            counted_denominations=[
                DenominationCount(value=str(face), count=n)
                for face, n in (counted.denominations if counted is not None else ())
            ],
        )


@strawberry.type(description="A cash shift at a register: opened with a float, closed with a Z.")
class Shift:
    id: strawberry.ID
    status: ShiftState
    register: Register
    store: Store
    currency: str
    opening_float: Money
    expected_cash: Money = strawberry.field(description="What the drawer should hold now.")
    expected_card: Money
    open_sale_ids: list[strawberry.ID] = strawberry.field(
        description="Sales started and not yet completed or voided (open or parked)."
    )
    opened_at: datetime | None
    closed_at: datetime | None
    figures: ShiftReportType = strawberry.field(
        description="The X figures as they stand, as of the shift's last change (records "
        "nothing); the Z once closed."
    )
    z_report: ShiftReportType | None
    as_of: datetime | None = strawberry.field(
        default=None,
        description="The instant this state is of (null: now). Set when the shift was asked "
        "for `asOf` an instant.",
    )

    @strawberry.field(
        description="The events of this shift's stream, newest first (up to `asOf`, when "
        "set); `first` at most 100. Its `changes` are empty: the payload says what changed."
    )
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> HistoryConnection:
        return await history.history(
            history.store_of(info), None, str(self.id), first=first, after=after, until=self.as_of
        )

    @classmethod
    def from_aggregate(
        cls,
        shift: ShiftAggregate,
        *,
        now: datetime,
        opened_at: datetime | None = None,
        closed_at: datetime | None = None,
    ) -> Shift:
        cur = shift.currency
        return cls(
            id=strawberry.ID(shift.id),
            status=ShiftState.OPEN if shift.status is ShiftStatus.OPEN else ShiftState.CLOSED,
            register=Register(id=strawberry.ID(shift.register_id)),
            store=Store(id=strawberry.ID(shift.store_id)),
            currency=cur,
            opening_float=money(shift.opening_float.total, cur),
            expected_cash=money(shift.expected_cash, cur),
            expected_card=money(shift.expected_card, cur),
            open_sale_ids=[strawberry.ID(s) for s in sorted(shift.open_sales)],
            opened_at=opened_at,
            closed_at=closed_at,
            figures=ShiftReportType.of(shift.figures(by="", now=now)),
            z_report=ShiftReportType.of(shift.z_report) if shift.z_report else None,
        )


@strawberry.type(description="A code a customer brings: a discount within a window and a limit.")
class Promotion:
    id: strawberry.ID
    code: str
    kind: DiscountType
    percent: str | None
    amount: Money | None
    valid_from: datetime | None
    valid_until: datetime | None
    usage_limit: int | None = strawberry.field(description="Null: unlimited.")
    uses: int
    uses_left: int | None

    @classmethod
    def from_aggregate(cls, promotion: PromotionAggregate) -> Promotion:
        is_amount = promotion.kind is DiscountKind.AMOUNT and promotion.currency is not None
        return cls(
            id=strawberry.ID(promotion.id),
            code=promotion.code,
            kind=DiscountType(promotion.kind.value),
            percent=None if is_amount else str(promotion.value),
            amount=money(promotion.value, promotion.currency or "") if is_amount else None,
            valid_from=promotion.valid_from,
            valid_until=promotion.valid_until,
            usage_limit=promotion.usage_limit,
            uses=len(promotion.redeemed),
            uses_left=promotion.uses_left,
        )


@strawberry.type(description="One line of a return and what it refunds.")
class ReturnedLine:
    line_id: strawberry.ID | None = strawberry.field(description="Null: without a receipt.")
    product: Product
    sku: str
    name: str
    tax_class: str
    rate_percent: str
    quantity: int
    net: Money
    tax: Money
    gross: Money = strawberry.field(description="What this line refunds.")
    disposition: ReturnDisposition


@strawberry.type
class TenderRefund:
    kind: TenderKind
    amount: Money
    reference: str | None = strawberry.field(description="The card it goes back to.")


@strawberry.type(description="Goods back from a customer, and the refund.")
class SaleReturn:
    id: strawberry.ID
    sale_id: strawberry.ID | None = strawberry.field(description="Null: without a receipt.")
    receipt_number: str | None
    store: Store
    register: Register
    shift_id: strawberry.ID
    lines: list[ReturnedLine]
    refunds: list[TenderRefund]
    cash_rounding: Money
    refunded: Money
    reason: str
    approved_by: StaffMember | None
    processed_by: StaffMember | None
    processed_at: datetime

    @classmethod
    def of(cls, doc: ReturnProcessed) -> SaleReturn:
        cur = doc.currency
        return cls(
            id=strawberry.ID(doc.return_id),
            sale_id=strawberry.ID(doc.sale_id) if doc.sale_id else None,
            receipt_number=doc.receipt_number,
            store=Store(id=strawberry.ID(doc.store_id)),
            register=Register(id=strawberry.ID(doc.register_id)),
            shift_id=strawberry.ID(doc.shift_id),
            lines=[
                ReturnedLine(
                    line_id=strawberry.ID(x.line_id) if x.line_id else None,
                    product=Product(id=strawberry.ID(x.product_id)),
                    sku=x.sku,
                    name=x.name,
                    tax_class=x.tax_class,
                    rate_percent=str(x.rate),
                    quantity=x.quantity,
                    net=money(x.net, cur),
                    tax=money(x.tax, cur),
                    gross=money(x.gross, cur),
                    disposition=ReturnDisposition(x.disposition.value),
                )
                for x in doc.lines
            ],
            refunds=[
                TenderRefund(
                    kind=TenderKind(r.kind.value),
                    amount=money(r.amount, cur),
                    reference=r.reference,
                )
                for r in doc.tender_refunds
            ],
            cash_rounding=money(doc.cash_rounding, cur),
            refunded=money(sum((r.amount for r in doc.tender_refunds), Decimal(0)), cur),
            reason=doc.reason,
            approved_by=staff(doc.approved_by),
            processed_by=staff(doc.by),
            processed_at=doc.at,
        )

    @classmethod
    def from_aggregate(cls, sale_return: SaleReturnAggregate) -> SaleReturn:
        return cls.of(sale_return.document)


@strawberry.type(description="A completed sale and its receipt, as completeSale answers.")
class SaleCompletion:
    sale: Sale
    receipt: Receipt

    @classmethod
    async def of(cls, info: Info, sale: Sale) -> SaleCompletion:
        receipt = await sale.receipt(info, copy=False)
        assert receipt is not None  # a completed sale always has its receipt
        return cls(sale=sale, receipt=receipt)

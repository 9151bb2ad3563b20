"""The `Sale` entity and what it shows: lines, discounts, tax summary, tenders, balance,
and its receipt. Built from the domain's `Sale` (folded from the read model's events, or
the write model's aggregate when a payload answers before the projection caught up)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum

import strawberry
from strawberry import federation
from strawberry.types import Info

from subgraphs.hosting import history
from subgraphs.hosting.history import HistoryConnection
from subgraphs.hosting.money import Money
from subgraphs.hosting.schema import loaders_of
from subgraphs.sales.domain import DiscountKind, ReceiptHeader, receipt_html, receipt_text
from subgraphs.sales.domain import Sale as SaleAggregate
from subgraphs.sales.domain.events import SaleCompleted
from subgraphs.sales.domain.money import quantum
from subgraphs.sales.graphql.caller import READ, require_scope
from subgraphs.sales.graphql.stubs import Customer, Product, Register, StaffMember, Store, staff
from subgraphs.sales.projections import (
    SaleRegister,
    SaleStore,
    SaleView,
    sale_fold,
    sale_of,
    store_info,
)


@strawberry.enum(description="OPEN (being rung up), PARKED, COMPLETED or VOIDED.")
class SaleStatus(Enum):
    OPEN = "OPEN"
    PARKED = "PARKED"
    COMPLETED = "COMPLETED"
    VOIDED = "VOIDED"


@strawberry.enum(description="PERCENT of what it discounts, or an AMOUNT off it.")
class DiscountType(Enum):
    PERCENT = "PERCENT"
    AMOUNT = "AMOUNT"


@strawberry.enum(description="How a sale was paid.")
class TenderKind(Enum):
    CASH = "CASH"
    CARD = "CARD"


def money(value: Decimal, currency: str) -> Money:
    """Always with the currency's minor units ("0.00", not "0"): what a till displays."""
    try:
        shown = value.quantize(quantum(currency)) if currency else value
    except InvalidOperation:  # pragma: no cover - amounts are already in minor units
        shown = value
    return Money(amount=str(shown), currency=currency)


@strawberry.type(description="A line as rung up, with its share of every discount and tax.")
class SaleLine:
    id: strawberry.ID
    product: Product
    sku: str
    name: str
    quantity: int
    unit_price: Money
    tax_class: str
    rate_percent: str
    amount: Money = strawberry.field(description="Unit price x quantity.")
    line_discount: Money
    sale_discount: Money = strawberry.field(description="Its share of the sale discounts.")
    net: Money
    tax: Money
    gross: Money = strawberry.field(description="What the customer pays for the line.")
    returned_quantity: int


@strawberry.type
class SaleDiscount:
    id: strawberry.ID
    line_id: strawberry.ID | None = strawberry.field(description="Null: on the whole sale.")
    kind: DiscountType
    percent: str | None
    amount: Money | None = strawberry.field(description="An AMOUNT discount's value.")
    taken: Money = strawberry.field(description="What it takes off.")
    reason: str
    approved_by: StaffMember | None
    promotion_code: str | None


@strawberry.type(description="One tax class's row of the tax summary.")
class TaxSummaryLine:
    tax_class: str
    rate_percent: str
    net: Money
    tax: Money
    gross: Money


@strawberry.type
class SaleTender:
    id: strawberry.ID
    kind: TenderKind
    amount: Money = strawberry.field(description="Cash: what was handed over.")
    reference: str | None = strawberry.field(description="The card terminal's reference.")


@strawberry.type(description="Where the payment stands: `remaining` is 0 once settled.")
class SaleBalance:
    total: Money
    tendered: Money
    cash_rounding: Money = strawberry.field(
        description="Added to the total when the store rounds cash (e.g. to 0.05)."
    )
    due: Money
    remaining: Money
    change: Money
    settled: bool


@strawberry.type(description="A receipt: plain text for 80 mm printers (42 columns), HTML.")
class Receipt:
    number: str
    sale_id: strawberry.ID
    copy: bool = strawberry.field(description="True on a reprint (marked COPY).")
    text: str
    html: str


async def render_receipt(
    info: Info, completed: SaleCompleted, cashier: str | None, *, copy: bool
) -> Receipt:
    store = await loaders_of(info).by(SaleStore).load(completed.store_id)
    register = await loaders_of(info).by(SaleRegister).load(completed.register_id)
    header = ReceiptHeader(
        store_name=store.name if store else completed.store_id,
        register_name=register.name if register else completed.register_id,
        cashier_name=cashier or completed.by,
        address=store_info(store, None).address if store else (),
    )
    return Receipt(
        number=completed.receipt_number,
        sale_id=strawberry.ID(completed.sale_id),
        copy=copy,
        text=receipt_text(completed, header, copy=copy),
        html=receipt_html(completed, header, copy=copy),
    )


@federation.type(keys=["id", "id asOf"], description="A walk-in sale at a register.")
class Sale:
    id: strawberry.ID
    status: SaleStatus
    store: Store
    register: Register
    shift_id: strawberry.ID
    cashier: StaffMember | None = strawberry.field(description="Who started the sale.")
    cashier_name: str | None
    customer: Customer | None = strawberry.field(description="Null: a walk-in customer.")
    currency: str
    started_at: datetime | None
    lines: list[SaleLine]
    discounts: list[SaleDiscount]
    tax_summary: list[TaxSummaryLine]
    subtotal: Money
    discount_total: Money
    tax_total: Money
    total: Money
    tenders: list[SaleTender]
    balance: SaleBalance
    receipt_number: str | None
    completed_at: datetime | None
    version: int = strawberry.field(
        description="The sale stream's version this view reflects (the gateway's "
        "subscriptions never push a sale older than the event)."
    )
    completion: strawberry.Private[SaleCompleted | None]
    as_of: datetime | None = strawberry.field(
        default=None,
        description="The instant this state is of (null: now). Set when the sale was asked "
        "for `asOf` an instant.",
    )

    @strawberry.field(
        description="The events of this sale's stream, newest first (up to `asOf`, when "
        "set); `first` at most 100. Its `changes` are empty: the payload says what changed."
    )
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> HistoryConnection:
        return await history.history(
            history.store_of(info), None, str(self.id), first=first, after=after, until=self.as_of
        )

    @strawberry.field(description="The receipt of a completed sale; `copy` marks a reprint.")
    async def receipt(self, info: Info, copy: bool = True) -> Receipt | None:
        if self.completion is None:
            return None
        return await render_receipt(info, self.completion, self.cashier_name, copy=copy)

    @classmethod
    def from_aggregate(
        cls, sale: SaleAggregate, cashier_name: str | None = None, version: int | None = None
    ) -> Sale:
        cur = sale.currency
        f = sale.figures()
        s = sale.settlement()

        def m(value: Decimal) -> Money:
            return money(value, cur)

        lines = [
            SaleLine(
                id=strawberry.ID(x.line_id),
                product=Product(id=strawberry.ID(x.product_id)),
                sku=x.sku,
                name=x.name,
                quantity=x.quantity,
                unit_price=m(x.unit_price),
                tax_class=x.tax_class,
                rate_percent=str(x.rate),
                amount=m(x.amount),
                line_discount=m(x.line_discount),
                sale_discount=m(x.sale_discount),
                net=m(x.net),
                tax=m(x.tax),
                gross=m(x.gross),
                returned_quantity=sale.returned[x.line_id].quantity
                if x.line_id in sale.returned
                else 0,
            )
            for x in f.lines
        ]
        discounts = [
            SaleDiscount(
                id=strawberry.ID(d.discount.discount_id),
                line_id=strawberry.ID(d.discount.line_id) if d.discount.line_id else None,
                kind=DiscountType(d.discount.kind.value),
                percent=str(d.discount.value) if d.discount.kind is DiscountKind.PERCENT else None,
                amount=m(d.discount.value) if d.discount.kind is DiscountKind.AMOUNT else None,
                taken=m(d.amount),
                reason=d.discount.reason,
                approved_by=staff(d.discount.approved_by),
                promotion_code=d.discount.promotion_code,
            )
            for d in f.discounts
        ]
        done = sale.completion
        return cls(
            id=strawberry.ID(sale.id),
            status=SaleStatus(str(sale.status)),
            store=Store(id=strawberry.ID(sale.store_id)),
            register=Register(id=strawberry.ID(sale.register_id)),
            shift_id=strawberry.ID(sale.shift_id),
            cashier=staff(sale.started_by),
            cashier_name=cashier_name,
            customer=Customer(id=strawberry.ID(sale.customer_id)) if sale.customer_id else None,
            currency=cur,
            started_at=sale.started_at,
            lines=lines,
            discounts=discounts,
            tax_summary=[
                TaxSummaryLine(
                    tax_class=r.tax_class,
                    rate_percent=str(r.rate),
                    net=m(r.net),
                    tax=m(r.tax),
                    gross=m(r.gross),
                )
                for r in f.tax_summary
            ],
            subtotal=m(f.subtotal),
            discount_total=m(f.discount_total),
            tax_total=m(f.tax_total),
            total=m(f.total),
            tenders=[
                SaleTender(
                    id=strawberry.ID(t.tender_id),
                    kind=TenderKind(t.kind.value),
                    amount=m(t.amount),
                    reference=t.reference,
                )
                for t in sale.tenders
            ],
            balance=SaleBalance(
                total=m(s.total),
                tendered=m(s.tendered),
                cash_rounding=m(s.cash_rounding),
                due=m(s.due),
                remaining=m(s.remaining),
                change=m(s.change),
                settled=s.settled,
            ),
            receipt_number=done.receipt_number if done else None,
            completed_at=done.at if done else None,
            version=sale.version if version is None else version,
            completion=done,
        )

    @classmethod
    def from_view(cls, view: SaleView) -> Sale:
        sale = sale_of(view)
        return cls.from_aggregate(sale, view.cashier_name, view.applied.get(view.id, sale.version))

    @classmethod
    async def resolve_reference(
        cls, info: Info, id: strawberry.ID, asOf: str | None = None
    ) -> Sale | None:
        require_scope(info, READ)
        if asOf is not None:
            return await sale_as_of(info, str(id), history.representation_instant(asOf))
        view = await loaders_of(info).by(SaleView).load(str(id))
        return cls.from_view(view) if view else None


async def sale_as_of(info: Info, sale_id: str, instant: datetime) -> Sale | None:
    """The sale as it was at `instant`, replayed from its stream."""
    view, at = await history.entity_as_of(history.store_of(info), sale_fold, sale_id, instant)
    if view is None:
        return None
    sale = Sale.from_view(view)
    sale.as_of = at
    return sale

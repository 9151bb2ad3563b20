"""Resolvers of the shop-floor reports (the `Query` fields are declared in `schema.py`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry

from subgraphs.hosting.money import Money
from subgraphs.reporting import shop_reports as reports
from subgraphs.reporting.graphql.shop_types import (
    DiscountsGiven,
    LocationStockValuation,
    Register,
    ReturnsSummary,
    SalesGrouping,
    ShiftOverShort,
    StaffMember,
    Store,
    StoreSales,
    TaxCollected,
    TenderAmount,
    TenderKind,
    TenderMix,
    TenderOverShort,
    TenderTotal,
)
from subgraphs.reporting.graphql.types import (
    Product,
    StockValuationLine,
    TopProduct,
    TopProductsBy,
    money,
    money_list,
)

From = Annotated[date, strawberry.argument(name="from")]
OptionalFrom = Annotated[date | None, strawberry.argument(name="from")]


def _m(amount: Decimal, currency: str) -> Money:
    return money(reports.cents(amount), currency)


def _id(value: str) -> strawberry.ID:
    return strawberry.ID(value)


async def store_sales(
    store_id: strawberry.ID | None = None,
    *,
    from_: From,
    to: date,
    group_by: SalesGrouping = SalesGrouping.DAY,
) -> list[StoreSales]:
    group = reports.SalesGroup(group_by.value)
    by = reports.SalesGroup
    out: list[StoreSales] = []
    for row in await reports.store_sales(
        None if store_id is None else str(store_id), from_, to, group
    ):
        cur, key = row.currency, row.key
        out.append(
            StoreSales(
                store=Store(id=_id(row.store_id)),
                register=Register(id=_id(str(key))) if group is by.REGISTER else None,
                cashier=StaffMember(id=_id(str(key))) if group is by.CASHIER else None,
                shift_id=_id(str(key)) if group is by.SHIFT else None,
                hour=key if isinstance(key, int) else None,
                day=key if isinstance(key, date) else None,
                currency=cur,
                sale_count=row.sale_count,
                gross=_m(row.gross, cur),
                net=_m(row.net, cur),
                tax=_m(row.tax, cur),
                discounts=_m(row.discounts, cur),
                return_count=row.return_count,
                refunds=_m(row.refunds, cur),
                refunded_tax=_m(row.refunded_tax, cur),
                gross_after_returns=_m(row.gross_after_returns, cur),
                net_after_returns=_m(row.net_after_returns, cur),
            )
        )
    return out


async def tender_mix(store_id: strawberry.ID, from_: From, to: date) -> list[TenderMix]:
    return [
        TenderMix(
            currency=mix.currency,
            tenders=[
                TenderTotal(
                    tender=TenderKind(t.tender),
                    payments=t.payments,
                    tendered=_m(t.tendered, mix.currency),
                    change=_m(t.change, mix.currency),
                    refunded=_m(t.refunded, mix.currency),
                    net=_m(t.net, mix.currency),
                )
                for t in mix.tenders.values()
            ],
            change_given=_m(mix.tenders["CASH"].change, mix.currency),
            cash_rounding=_m(mix.cash_rounding, mix.currency),
            refund_cash_rounding=_m(mix.refund_cash_rounding, mix.currency),
            takings=_m(mix.takings, mix.currency),
        )
        for mix in await reports.tender_mix(str(store_id), from_, to)
    ]


async def taxes_collected(store_id: strawberry.ID, from_: From, to: date) -> list[TaxCollected]:
    return [
        TaxCollected(
            day=row.day,
            tax_class=row.tax_class,
            rate=str(row.rate),
            currency=row.currency,
            net=_m(row.net, row.currency),
            tax=_m(row.tax, row.currency),
            gross=_m(row.gross, row.currency),
            refunded_net=_m(row.refunded_net, row.currency),
            refunded_tax=_m(row.refunded_tax, row.currency),
            collected=_m(row.collected, row.currency),
        )
        for row in await reports.taxes_collected(str(store_id), from_, to)
    ]


async def discounts_given(store_id: strawberry.ID, from_: From, to: date) -> list[DiscountsGiven]:
    return [
        DiscountsGiven(
            reason=row.reason,
            approved_by=None if row.approved_by is None else StaffMember(id=_id(row.approved_by)),
            promotion_code=row.promotion_code,
            currency=row.currency,
            count=row.count,
            amount=_m(row.amount, row.currency),
        )
        for row in await reports.discounts_given(str(store_id), from_, to)
    ]


async def returns_summary(store_id: strawberry.ID, from_: From, to: date) -> list[ReturnsSummary]:
    return [
        ReturnsSummary(
            currency=s.currency,
            return_count=s.return_count,
            without_receipt_count=s.without_receipt,
            refunded=_m(s.refunded, s.currency),
            refunded_tax=_m(s.refunded_tax, s.currency),
            cash_rounding=_m(s.cash_rounding, s.currency),
            by_tender=[
                TenderAmount(tender=TenderKind(kind), amount=_m(s.by_tender[kind], s.currency))
                for kind in sorted(s.by_tender)
            ],
            units_restocked=s.units_restocked,
            units_written_off=s.units_written_off,
        )
        for s in await reports.returns_summary(str(store_id), from_, to)
    ]


async def top_products_at_store(
    store_id: strawberry.ID,
    limit: int = 10,
    from_: OptionalFrom = None,
    to: date | None = None,
    by: TopProductsBy = TopProductsBy.QUANTITY,
) -> list[TopProduct]:
    ranked = await reports.top_products_at_store(
        str(store_id), limit, from_, to, by is TopProductsBy.REVENUE
    )
    return [
        TopProduct(
            product=Product(id=_id(p.product_id)),
            sku=p.sku,
            name=p.name,
            units_sold=p.units_sold,
            revenue=money_list(p.revenue),
        )
        for p in ranked
    ]


async def stock_valuation_by_store(
    location_id: strawberry.ID | None = None,
) -> list[LocationStockValuation]:
    return [
        LocationStockValuation(
            location_id=_id(v.location_id),
            store=None if v.location_id == reports.MAIN else Store(id=_id(v.location_id)),
            lines=[
                StockValuationLine(
                    product=Product(id=_id(line.product_id)),
                    sku=line.sku,
                    name=line.name,
                    on_hand=line.on_hand,
                    unit_price=money(line.unit_price, line.currency),
                    value=money(line.value, line.currency),
                )
                for line in v.lines
            ],
            totals=money_list(v.totals),
        )
        for v in await reports.stock_valuation_by_location(
            None if location_id is None else str(location_id)
        )
    ]


async def shift_over_short(store_id: strawberry.ID, from_: From, to: date) -> list[ShiftOverShort]:
    out: list[ShiftOverShort] = []
    for shift in await reports.closed_shifts(str(store_id), from_, to):
        assert shift.closed_at is not None and shift.closed_by is not None
        cur = shift.currency
        out.append(
            ShiftOverShort(
                shift_id=_id(shift.id),
                register=Register(id=_id(shift.register_id)),
                opened_by=StaffMember(id=_id(shift.opened_by)),
                closed_by=StaffMember(id=_id(shift.closed_by)),
                opened_at=shift.opened_at,
                closed_at=shift.closed_at,
                currency=cur,
                opening_float=_m(reports.D(shift.opening_float), cur),
                sale_count=shift.sales,
                refund_count=shift.refunds,
                void_count=shift.voids,
                tenders=[
                    TenderOverShort(
                        tender=TenderKind(t.kind),
                        expected=_m(reports.D(t.expected), cur),
                        counted=_m(reports.D(t.counted), cur),
                        over_short=_m(reports.D(t.over_short), cur),
                    )
                    for t in shift.tenders
                ],
                over_short=_m(reports.over_short(shift), cur),
            )
        )
    return out

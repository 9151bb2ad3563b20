"""The shop-floor reports, computed from the sales, return, shift and stock facts at
query time.

Conventions (every report):

- Days are UTC dates, `from` to `to` inclusive (at most 366 days); a sale counts on the
  day it was completed, a return on the day it was refunded, a shift on the day it was
  closed. Hours of day are UTC too (the stores context records no time zone).
- A return counts where it was refunded (its store, register, shift and cashier), which
  is also where its cash left the drawer, not where the goods were sold.
- `gross` is what customers owe (taxes included, after discounts, before cash rounding),
  `net` = gross - tax; `refunds` are the returned lines' gross (taxes included), so
  `grossAfterReturns` = gross - refunds and `netAfterReturns` = net - (refunds - their
  tax). What the tenders took in adds the cash rounding of sales and of refunds on top.
- Amounts are exact `Decimal`s kept per currency (`Amounts` keys or a row's currency):
  a report never adds euros to dollars.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from eventbus import DomainError
from subgraphs.reporting.projections import (
    ProductFact,
    ReturnFact,
    SaleFact,
    ShiftFact,
    StockFact,
)
from subgraphs.reporting.reports import (
    CENT,
    MAX_DAYS,
    MAX_LIMIT,
    Amounts,
    ProductSales,
    StockLine,
    add,
)

ZERO = Decimal("0")
MAIN = "MAIN"
TENDERS = ("CASH", "CARD")


def D(value: str | None) -> Decimal:
    return ZERO if value is None else Decimal(value)


def check_window(start: date, end: date) -> None:
    if end < start:
        raise DomainError(f"`to` ({end}) is before `from` ({start})", field="to")
    if (end - start).days + 1 > MAX_DAYS:
        raise DomainError(f"ask for at most {MAX_DAYS} days at a time", field="to")


def _between(name: str, start: date | None, end: date | None) -> dict[str, Any]:
    bounds: dict[str, datetime] = {}
    if start is not None:
        bounds["$gte"] = datetime.combine(start, time.min, UTC)
    if end is not None:
        bounds["$lt"] = datetime.combine(end + timedelta(days=1), time.min, UTC)
    return {name: bounds} if bounds else {}


def _store(store_id: str | None) -> dict[str, Any]:
    return {} if store_id is None else {"store_id": store_id}


async def sales_in(store_id: str | None, start: date | None, end: date | None) -> list[SaleFact]:
    query = {**_store(store_id), **_between("completed_at", start, end)}
    return await SaleFact.find(query).sort("completed_at").to_list()


async def returns_in(
    store_id: str | None, start: date | None, end: date | None
) -> list[ReturnFact]:
    query = {**_store(store_id), **_between("processed_at", start, end)}
    return await ReturnFact.find(query).sort("processed_at").to_list()


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- sales by store, register, cashier, shift, hour, day ------------------------------


class SalesGroup(StrEnum):
    STORE = "STORE"
    REGISTER = "REGISTER"
    CASHIER = "CASHIER"
    SHIFT = "SHIFT"
    HOUR = "HOUR"
    DAY = "DAY"


@dataclass
class SalesRow:
    """One store's sales of one group (a register, a cashier, ...) in one currency."""

    store_id: str
    group: SalesGroup
    key: str | int | date | None
    currency: str
    sale_count: int = 0
    gross: Decimal = ZERO
    tax: Decimal = ZERO
    discounts: Decimal = ZERO
    return_count: int = 0
    refunds: Decimal = ZERO
    refunded_tax: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.gross - self.tax

    @property
    def gross_after_returns(self) -> Decimal:
        return self.gross - self.refunds

    @property
    def net_after_returns(self) -> Decimal:
        return self.net - (self.refunds - self.refunded_tax)


def _group_key(
    group: SalesGroup, register: str, cashier: str, shift: str, at: datetime
) -> str | int | date | None:
    moment = utc(at)
    return {
        SalesGroup.STORE: None,
        SalesGroup.REGISTER: register,
        SalesGroup.CASHIER: cashier,
        SalesGroup.SHIFT: shift,
        SalesGroup.HOUR: moment.hour,
        SalesGroup.DAY: moment.date(),
    }[group]


async def store_sales(
    store_id: str | None, start: date, end: date, group: SalesGroup
) -> list[SalesRow]:
    """Rows per store x group x currency, sorted by store, group and currency; groups
    with neither sales nor returns are left out."""
    check_window(start, end)
    rows: dict[tuple[str, Any, str], SalesRow] = {}

    def row(store: str, key: Any, currency: str) -> SalesRow:
        found = rows.get((store, key, currency))
        if found is None:
            found = rows[(store, key, currency)] = SalesRow(store, group, key, currency)
        return found

    for sale in await sales_in(store_id, start, end):
        key = _group_key(group, sale.register_id, sale.cashier_id, sale.shift_id, sale.completed_at)
        entry = row(sale.store_id, key, sale.currency)
        entry.sale_count += 1
        entry.gross += D(sale.total)
        entry.tax += D(sale.tax_total)
        entry.discounts += D(sale.discount_total)
    for back in await returns_in(store_id, start, end):
        key = _group_key(group, back.register_id, back.cashier_id, back.shift_id, back.processed_at)
        entry = row(back.store_id, key, back.currency)
        entry.return_count += 1
        entry.refunds += sum((D(ln.gross) for ln in back.lines), ZERO)
        entry.refunded_tax += sum((D(ln.tax) for ln in back.lines), ZERO)
    return sorted(rows.values(), key=lambda r: (r.store_id, str(r.key), r.currency))


# -- tenders --------------------------------------------------------------------------


@dataclass
class TenderTotal:
    tender: str
    payments: int = 0
    tendered: Decimal = ZERO
    change: Decimal = ZERO
    refunded: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        """What stayed in the till or the bank: tendered - change - refunded."""
        return self.tendered - self.change - self.refunded


@dataclass
class TenderMix:
    currency: str
    tenders: dict[str, TenderTotal] = field(
        default_factory=lambda: {t: TenderTotal(t) for t in TENDERS}
    )
    cash_rounding: Decimal = ZERO
    refund_cash_rounding: Decimal = ZERO

    @property
    def takings(self) -> Decimal:
        return sum((t.net for t in self.tenders.values()), ZERO)


async def tender_mix(store_id: str, start: date, end: date) -> list[TenderMix]:
    """Per currency: CASH and CARD tendered, change given, refunded, and cash rounding."""
    check_window(start, end)
    mixes: dict[str, TenderMix] = {}

    def mix(currency: str) -> TenderMix:
        return mixes.setdefault(currency, TenderMix(currency))

    for sale in await sales_in(store_id, start, end):
        entry = mix(sale.currency)
        for tender in sale.tenders:
            total = entry.tenders.setdefault(tender.kind, TenderTotal(tender.kind))
            total.payments += 1
            total.tendered += D(tender.amount)
        entry.tenders["CASH"].change += D(sale.change)
        entry.cash_rounding += D(sale.cash_rounding)
    for back in await returns_in(store_id, start, end):
        entry = mix(back.currency)
        for refund in back.refunds:
            total = entry.tenders.setdefault(refund.kind, TenderTotal(refund.kind))
            total.refunded += D(refund.amount)
        entry.refund_cash_rounding += D(back.cash_rounding)
    return [mixes[cur] for cur in sorted(mixes)]


# -- taxes ----------------------------------------------------------------------------


@dataclass
class TaxRow:
    day: date
    tax_class: str
    rate: Decimal
    currency: str
    net: Decimal = ZERO
    tax: Decimal = ZERO
    gross: Decimal = ZERO
    refunded_net: Decimal = ZERO
    refunded_tax: Decimal = ZERO

    @property
    def collected(self) -> Decimal:
        return self.tax - self.refunded_tax


async def taxes_collected(store_id: str, start: date, end: date) -> list[TaxRow]:
    """Per day x tax class x rate x currency: sales' tax summaries less refunded lines."""
    check_window(start, end)
    rows: dict[tuple[date, str, Decimal, str], TaxRow] = {}

    def row(day: date, tax_class: str, rate: Decimal, currency: str) -> TaxRow:
        key = (day, tax_class, rate.normalize(), currency)
        return rows.setdefault(key, TaxRow(day, tax_class, rate, currency))

    for sale in await sales_in(store_id, start, end):
        day = utc(sale.completed_at).date()
        for tax in sale.taxes:
            entry = row(day, tax.tax_class, D(tax.rate), sale.currency)
            entry.net += D(tax.net)
            entry.tax += D(tax.tax)
            entry.gross += D(tax.gross)
    for back in await returns_in(store_id, start, end):
        day = utc(back.processed_at).date()
        for line in back.lines:
            entry = row(day, line.tax_class, D(line.rate), back.currency)
            entry.refunded_net += D(line.net)
            entry.refunded_tax += D(line.tax)
    return sorted(rows.values(), key=lambda r: (r.day, r.currency, -r.rate, r.tax_class))


# -- discounts ------------------------------------------------------------------------


@dataclass
class DiscountRow:
    reason: str
    approved_by: str | None
    promotion_code: str | None
    currency: str
    count: int = 0
    amount: Decimal = ZERO


async def discounts_given(store_id: str, start: date, end: date) -> list[DiscountRow]:
    """Per reason x approver x promotion x currency, the largest amount first."""
    check_window(start, end)
    rows: dict[tuple[str, str | None, str | None, str], DiscountRow] = {}
    for sale in await sales_in(store_id, start, end):
        for discount in sale.discounts:
            key = (discount.reason, discount.approved_by, discount.promotion_code, sale.currency)
            entry = rows.setdefault(key, DiscountRow(*key))
            entry.count += 1
            entry.amount += D(discount.amount)
    return sorted(
        rows.values(),
        key=lambda r: (-r.amount, r.reason, r.approved_by or "", r.promotion_code or ""),
    )


# -- returns --------------------------------------------------------------------------


@dataclass
class ReturnsSummary:
    currency: str
    return_count: int = 0
    without_receipt: int = 0
    refunded: Decimal = ZERO
    """The returned lines' gross (taxes included)."""
    refunded_tax: Decimal = ZERO
    cash_rounding: Decimal = ZERO
    by_tender: Amounts = field(default_factory=dict)
    """Tender kind -> paid back (what the customer got: refunded + cash rounding)."""
    units_restocked: int = 0
    units_written_off: int = 0


async def returns_summary(store_id: str, start: date, end: date) -> list[ReturnsSummary]:
    check_window(start, end)
    found: dict[str, ReturnsSummary] = {}
    for back in await returns_in(store_id, start, end):
        entry = found.setdefault(back.currency, ReturnsSummary(back.currency))
        entry.return_count += 1
        entry.without_receipt += back.sale_id is None
        entry.cash_rounding += D(back.cash_rounding)
        for line in back.lines:
            entry.refunded += D(line.gross)
            entry.refunded_tax += D(line.tax)
            if line.disposition == "WRITE_OFF":
                entry.units_written_off += line.quantity
            else:
                entry.units_restocked += line.quantity
        for refund in back.refunds:
            add(entry.by_tender, refund.kind, D(refund.amount))
    return [found[cur] for cur in sorted(found)]


# -- top products at a store ----------------------------------------------------------


async def top_products_at_store(
    store_id: str, limit: int, start: date | None, end: date | None, by_revenue: bool
) -> list[ProductSales]:
    """Products sold at the store by units or by revenue (lines' gross, taxes included)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}", field="limit")
    if start is not None and end is not None:
        check_window(start, end)
    sales: dict[str, ProductSales] = {}
    for sale in await sales_in(store_id, start, end):
        for line in sale.lines:
            entry = sales.setdefault(
                line.product_id, ProductSales(line.product_id, line.sku, line.name)
            )
            entry.units_sold += line.quantity
            add(entry.revenue, sale.currency, D(line.gross))

    def rank(entry: ProductSales) -> tuple[Any, ...]:
        revenue = sum(entry.revenue.values(), ZERO)
        primary = (revenue, entry.units_sold) if by_revenue else (entry.units_sold, revenue)
        return (-primary[0], -primary[1], entry.sku)

    return sorted(sales.values(), key=rank)[:limit]


# -- stock valuation per location -----------------------------------------------------


@dataclass
class LocationValuation:
    location_id: str
    lines: list[StockLine] = field(default_factory=list)
    totals: Amounts = field(default_factory=dict)


async def stock_valuation_by_location(location_id: str | None) -> list[LocationValuation]:
    """Per location (MAIN first, then stores by id): on hand x current catalog price.
    A level below zero (sold before it was booked in) is valued as the books say."""
    query = {} if location_id is None else {"warehouse": location_id}
    items = await StockFact.find(query).to_list()
    products = {
        p.id: p
        for p in await ProductFact.find(
            {"_id": {"$in": sorted({i.product_id for i in items})}}
        ).to_list()
    }
    found: dict[str, LocationValuation] = {}
    for item in items:
        product = products.get(item.product_id)
        if product is None or item.on_hand == 0:
            continue
        entry = found.setdefault(item.warehouse, LocationValuation(item.warehouse))
        line = StockLine(
            item.product_id,
            product.sku,
            product.name,
            item.on_hand,
            Decimal(product.unit_price),
            product.currency,
        )
        entry.lines.append(line)
        add(entry.totals, line.currency, line.value)
    for entry in found.values():
        entry.lines.sort(key=lambda ln: ln.sku)
    return sorted(found.values(), key=lambda v: (v.location_id != MAIN, v.location_id))


# -- shift over/short -----------------------------------------------------------------


async def closed_shifts(store_id: str, start: date, end: date) -> list[ShiftFact]:
    """The store's shifts closed in the window (their Z reports), in closing order."""
    check_window(start, end)
    query = {"store_id": store_id, **_between("closed_at", start, end)}
    shifts = await ShiftFact.find(query).to_list()
    return sorted(shifts, key=lambda s: (s.closed_at, s.register_id, s.id))


def over_short(shift: ShiftFact) -> Decimal:
    return sum((D(t.over_short) for t in shift.tenders), ZERO)


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT)

"""The reports, computed from the reporting facts at query time.

Sums are exact `Decimal`s kept per currency (an order has one currency; the shop may
sell in several), so a report never adds euros to dollars.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from eventbus import DomainError
from subgraphs.reporting.projections import CustomerFact, OrderFact, ProductFact, StockFact

MAX_DAYS = 366
MAX_LIMIT = 100
CENT = Decimal("0.01")

Amounts = dict[str, Decimal]
"""Currency -> amount."""


def add(amounts: Amounts, currency: str, amount: Decimal) -> None:
    amounts[currency] = amounts.get(currency, Decimal("0")) + amount


def sorted_amounts(amounts: Amounts) -> list[tuple[str, Decimal]]:
    return [(cur, amounts[cur].quantize(CENT)) for cur in sorted(amounts)]


@dataclass
class DaySales:
    day: date
    order_count: int = 0
    revenue: Amounts = field(default_factory=dict)


@dataclass
class ProductSales:
    product_id: str
    sku: str
    name: str
    units_sold: int = 0
    revenue: Amounts = field(default_factory=dict)


@dataclass
class StockLine:
    product_id: str
    sku: str
    name: str
    on_hand: int
    unit_price: Decimal
    currency: str

    @property
    def value(self) -> Decimal:
        return (self.unit_price * self.on_hand).quantize(CENT)


def _window(start: date | None, end: date | None) -> dict[str, Any]:
    """Filter on paid_at for the days start..end inclusive (UTC)."""
    if start is not None and end is not None and end < start:
        raise DomainError(f"`to` ({end}) is before `from` ({start})", field="to")
    bounds: dict[str, datetime] = {}
    if start is not None:
        bounds["$gte"] = datetime.combine(start, time.min, UTC)
    if end is not None:
        bounds["$lt"] = datetime.combine(end + timedelta(days=1), time.min, UTC)
    return {"counts": True, **({"paid_at": bounds} if bounds else {})}


async def counted_orders(start: date | None = None, end: date | None = None) -> list[OrderFact]:
    return await OrderFact.find(_window(start, end)).to_list()


async def daily_sales(start: date, end: date) -> list[DaySales]:
    """One entry per day from `start` to `end` inclusive, days without sales included."""
    if (end - start).days + 1 > MAX_DAYS:
        raise DomainError(f"ask for at most {MAX_DAYS} days at a time", field="to")
    days = {
        start + timedelta(days=i): DaySales(start + timedelta(days=i))
        for i in range((end - start).days + 1)
    }
    for order in await counted_orders(start, end):
        assert order.paid_at is not None
        entry = days.get(order.paid_at.astimezone(UTC).date())
        if entry is None:
            continue
        entry.order_count += 1
        add(entry.revenue, order.currency, Decimal(order.total))
    return list(days.values())


def product_sales(
    orders: Iterable[OrderFact], only: set[str] | None = None
) -> dict[str, ProductSales]:
    sales: dict[str, ProductSales] = {}
    for order in orders:
        for line in order.lines:
            if only is not None and line.product_id not in only:
                continue
            entry = sales.setdefault(
                line.product_id, ProductSales(line.product_id, line.sku, line.name)
            )
            entry.units_sold += line.quantity
            add(entry.revenue, order.currency, Decimal(line.line_total))
    return sales


async def top_products(
    limit: int, start: date | None, end: date | None, by_revenue: bool
) -> list[ProductSales]:
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}", field="limit")
    sales = list(product_sales(await counted_orders(start, end)).values())

    def rank(entry: ProductSales) -> tuple[Any, ...]:
        revenue = sum(entry.revenue.values(), Decimal("0"))
        primary = (revenue, entry.units_sold) if by_revenue else (entry.units_sold, revenue)
        return (-primary[0], -primary[1], entry.sku)

    return sorted(sales, key=rank)[:limit]


async def sales_of(product_ids: Sequence[str]) -> dict[str, ProductSales]:
    orders = await OrderFact.find(
        {"counts": True, "lines.product_id": {"$in": list(product_ids)}}
    ).to_list()
    return product_sales(orders, set(product_ids))


async def lifetime_values(customer_ids: Sequence[str]) -> dict[str, tuple[int, Amounts]]:
    """Customer id -> (paid order count, amounts paid) over orders that count."""
    found: dict[str, tuple[int, Amounts]] = {cid: (0, {}) for cid in customer_ids}
    orders = await OrderFact.find(
        {"counts": True, "customer_id": {"$in": list(customer_ids)}}
    ).to_list()
    for order in orders:
        count, amounts = found[order.customer_id]
        add(amounts, order.currency, Decimal(order.total))
        found[order.customer_id] = (count + 1, amounts)
    return found


@dataclass
class CustomerValue:
    customer_id: str
    name: str
    paid_orders: int
    spent: Amounts


async def top_customers(limit: int) -> list[CustomerValue]:
    """Customers by what they spent (all currencies summed for the ranking only)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}", field="limit")
    values: dict[str, CustomerValue] = {}
    for order in await counted_orders():
        entry = values.setdefault(order.customer_id, CustomerValue(order.customer_id, "", 0, {}))
        entry.paid_orders += 1
        add(entry.spent, order.currency, Decimal(order.total))
    names = {
        c.id: c.name for c in await CustomerFact.find({"_id": {"$in": list(values)}}).to_list()
    }
    for entry in values.values():
        entry.name = names.get(entry.customer_id, "")
    ranked = sorted(
        values.values(), key=lambda v: (-sum(v.spent.values(), Decimal("0")), v.name, v.customer_id)
    )
    return ranked[:limit]


async def stock_valuation() -> tuple[list[StockLine], Amounts]:
    """Per product: on hand (all warehouses) x current catalog unit price, and totals."""
    on_hand: dict[str, int] = defaultdict(int)
    for item in await StockFact.find_all().to_list():
        on_hand[item.product_id] += item.on_hand
    products = {p.id: p for p in await ProductFact.find({"_id": {"$in": list(on_hand)}}).to_list()}
    lines: list[StockLine] = []
    totals: Amounts = {}
    for product_id, units in on_hand.items():
        product = products.get(product_id)
        if product is None:
            continue  # stock for a product the catalog has not (yet) told us about
        line = StockLine(
            product_id,
            product.sku,
            product.name,
            units,
            Decimal(product.unit_price),
            product.currency,
        )
        lines.append(line)
        add(totals, line.currency, line.value)
    lines.sort(key=lambda ln: ln.sku)
    return lines, totals

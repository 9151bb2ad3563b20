"""The reporting subgraph: read-only reports over facts from every context's events."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry import federation

from subgraphs.hosting.schema import SubgraphSchema
from subgraphs.reporting import reports
from subgraphs.reporting.graphql import shop
from subgraphs.reporting.graphql.shop_types import Register, StaffMember, Store
from subgraphs.reporting.graphql.types import (
    Customer,
    DailySales,
    Money,
    Product,
    StockValuation,
    StockValuationLine,
    TopCustomer,
    TopProduct,
    TopProductsBy,
    money,
    money_list,
)


@strawberry.type
class Query:
    @federation.field(
        requires_scopes=[["reports:read"]],
        description="Per day from `from` to `to` (inclusive, UTC, at most 366 days): paid "
        "orders and their revenue per currency. Days without sales are listed with zero.",
    )
    async def daily_sales(
        self, from_: Annotated[date, strawberry.argument(name="from")], to: date
    ) -> list[DailySales]:
        return [
            DailySales(day=d.day, order_count=d.order_count, revenue=money_list(d.revenue))
            for d in await reports.daily_sales(from_, to)
        ]

    @federation.field(
        requires_scopes=[["reports:read"]],
        description="Best-selling products over paid orders (optionally paid between "
        "`from` and `to`, inclusive), by units sold or by revenue.",
    )
    async def top_products(
        self,
        limit: int = 10,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
        by: TopProductsBy = TopProductsBy.QUANTITY,
    ) -> list[TopProduct]:
        ranked = await reports.top_products(limit, from_, to, by is TopProductsBy.REVENUE)
        return [
            TopProduct(
                product=Product(id=strawberry.ID(p.product_id)),
                sku=p.sku,
                name=p.name,
                units_sold=p.units_sold,
                revenue=money_list(p.revenue),
            )
            for p in ranked
        ]

    @federation.field(
        requires_scopes=[["reports:read"]],
        description="Best customers by what their paid orders add up to.",
    )
    async def top_customers(self, limit: int = 10) -> list[TopCustomer]:
        return [
            TopCustomer(
                customer=Customer(id=strawberry.ID(c.customer_id)),
                name=c.name,
                paid_order_count=c.paid_orders,
                lifetime_value=money_list(c.spent),
            )
            for c in await reports.top_customers(limit)
        ]

    @federation.field(
        requires_scopes=[["reports:read"]],
        description="Stock on hand valued at current catalog prices.",
    )
    async def stock_valuation(self) -> StockValuation:
        lines, totals = await reports.stock_valuation()
        return StockValuation(
            lines=[
                StockValuationLine(
                    product=Product(id=strawberry.ID(line.product_id)),
                    sku=line.sku,
                    name=line.name,
                    on_hand=line.on_hand,
                    unit_price=money(line.unit_price, line.currency),
                    value=money(line.value, line.currency),
                )
                for line in lines
            ],
            totals=money_list(totals),
        )

    # -- the shop floor: stores, registers, shifts (days and hours UTC) ---------------

    store_sales = federation.field(
        resolver=shop.store_sales,
        requires_scopes=[["reports:read"]],
        description="Completed sales and returns from `from` to `to` (inclusive, UTC, at "
        "most 366 days), one row per store x group x currency: by REGISTER, CASHIER, "
        "SHIFT, HOUR of day, DAY or just STORE. Without `storeId`: every store.",
    )
    tender_mix = federation.field(
        resolver=shop.tender_mix,
        requires_scopes=[["reports:read"]],
        description="A store's takings per tender (CASH, CARD) with change given, refunds "
        "and cash rounding, from `from` to `to` (inclusive, UTC); one entry per currency.",
    )
    taxes_collected = federation.field(
        resolver=shop.taxes_collected,
        requires_scopes=[["reports:read"]],
        description="A store's tax per day, class and rate, less refunded tax.",
    )
    discounts_given = federation.field(
        resolver=shop.discounts_given,
        requires_scopes=[["reports:read"]],
        description="A store's discounts on completed sales by reason and approver, the "
        "largest amount first.",
    )
    returns_summary = federation.field(
        resolver=shop.returns_summary,
        requires_scopes=[["reports:read"]],
        description="A store's returns: how many, refunded per tender, units restocked "
        "and written off; one entry per currency.",
    )
    top_products_at_store = federation.field(
        resolver=shop.top_products_at_store,
        requires_scopes=[["reports:read"]],
        description="Best-selling products at one store (optionally completed between "
        "`from` and `to`, inclusive), by units sold or by revenue (taxes included).",
    )
    stock_valuation_by_store = federation.field(
        resolver=shop.stock_valuation_by_store,
        requires_scopes=[["reports:read"]],
        description="Stock on hand per location (MAIN first, then each store, or only "
        "`locationId`) valued at current catalog prices.",
    )
    shift_over_short = federation.field(
        resolver=shop.shift_over_short,
        requires_scopes=[["reports:read"]],
        description="The Z reports of a store's shifts closed from `from` to `to` "
        "(inclusive, UTC): expected against counted per tender, over/short.",
    )


schema = SubgraphSchema(query=Query, types=[Money, Product, Customer, Store, Register, StaffMember])


def sdl() -> str:
    """What the gateway reads from `_service { sdl }`."""
    result = schema.execute_sync("{ _service { sdl } }")
    assert result.data is not None, result.errors
    text: str = result.data["_service"]["sdl"]
    return text.rstrip("\n") + "\n"

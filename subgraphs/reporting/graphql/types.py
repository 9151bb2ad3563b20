"""Reporting GraphQL types: the reports, plus `Product.salesFigures` and
`Customer.lifetimeValue` contributed to entities other subgraphs own."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry import federation

from subgraphs.hosting.money import Money
from subgraphs.reporting.reports import Amounts, lifetime_values, sales_of, sorted_amounts


def money_list(amounts: Amounts) -> list[Money]:
    return [Money(amount=str(value), currency=cur) for cur, value in sorted_amounts(amounts)]


def money(amount: Decimal, currency: str) -> Money:
    return Money(amount=str(amount), currency=currency)


@strawberry.type(description="Units and revenue (one entry per currency) from paid orders.")
class SalesFigures:
    units_sold: int
    revenue: list[Money]


# Entity stubs carry no description: catalog and customers describe their types.
@federation.type(keys=["id"])
class Product:
    id: strawberry.ID

    @federation.field(
        requires_scopes=[["reports:read"]],
        description="Sales of this product over all paid (not cancelled) orders.",
    )
    async def sales_figures(self) -> SalesFigures:
        found = (await sales_of([str(self.id)])).get(str(self.id))
        if found is None:
            return SalesFigures(units_sold=0, revenue=[])
        return SalesFigures(units_sold=found.units_sold, revenue=money_list(found.revenue))

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Product:
        return cls(id=id)


@federation.type(keys=["id"])
class Customer:
    id: strawberry.ID

    @federation.field(
        requires_scopes=[["reports:read"]],
        description="Sum of this customer's paid (not cancelled) orders, one entry per currency.",
    )
    async def lifetime_value(self) -> list[Money]:
        _, amounts = (await lifetime_values([str(self.id)]))[str(self.id)]
        return money_list(amounts)

    @federation.field(
        requires_scopes=[["reports:read"]],
        description="How many of this customer's orders count as paid.",
    )
    async def paid_order_count(self) -> int:
        count, _ = (await lifetime_values([str(self.id)]))[str(self.id)]
        return count

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Customer:
        return cls(id=id)


@strawberry.type
class TopCustomer:
    customer: Customer
    name: str = strawberry.field(description="Empty while the customer is being indexed.")
    paid_order_count: int
    lifetime_value: list[Money]


@strawberry.type(description="Sales of one day (UTC), from orders paid that day.")
class DailySales:
    day: date
    order_count: int
    revenue: list[Money]


@strawberry.type
class TopProduct:
    product: Product
    sku: str
    name: str = strawberry.field(description="As it was on the orders counted.")
    units_sold: int
    revenue: list[Money]


@strawberry.enum
class TopProductsBy(Enum):
    QUANTITY = "QUANTITY"
    REVENUE = "REVENUE"


@strawberry.type
class StockValuationLine:
    product: Product
    sku: str
    name: str
    on_hand: int = strawberry.field(
        description="Units on hand: over all locations in `stockValuation`, at the location "
        "in `stockValuationByStore`."
    )
    unit_price: Money = strawberry.field(description="The current catalog price.")
    value: Money


@strawberry.type(description="What the stock on hand is worth at current catalog prices.")
class StockValuation:
    lines: list[StockValuationLine]
    totals: list[Money] = strawberry.field(description="One entry per currency.")

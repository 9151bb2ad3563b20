"""Reporting GraphQL types of the shop-floor reports (stores, registers, shifts).

`Store`, `Register` and `StaffMember` are references to entities the stores and staff
subgraphs own (key only, not resolvable here): the gateway fetches their names.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry
from strawberry import federation
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

from subgraphs.hosting.money import Money
from subgraphs.reporting.graphql.types import StockValuationLine


@federation.type(keys=[Key(fields=FieldSet("id"), resolvable=False)])
class Store:
    id: strawberry.ID


@federation.type(keys=[Key(fields=FieldSet("id"), resolvable=False)])
class Register:
    id: strawberry.ID


@federation.type(keys=[Key(fields=FieldSet("id"), resolvable=False)])
class StaffMember:
    id: strawberry.ID


@strawberry.enum(description="What `storeSales` breaks a store's sales down by.")
class SalesGrouping(Enum):
    STORE = "STORE"
    REGISTER = "REGISTER"
    CASHIER = "CASHIER"
    SHIFT = "SHIFT"
    HOUR = "HOUR"
    DAY = "DAY"


@strawberry.enum(description="How a sale was paid.")
class TenderKind(Enum):
    CASH = "CASH"
    CARD = "CARD"


@strawberry.type(
    description="One store's sales and returns of one group (a register, a cashier, a "
    "shift, an hour of day or a day, UTC) in one currency. A return counts where and when "
    "it was refunded."
)
class StoreSales:
    store: Store
    register: Register | None = strawberry.field(description="Set when grouped by REGISTER.")
    cashier: StaffMember | None = strawberry.field(description="Set when grouped by CASHIER.")
    shift_id: strawberry.ID | None = strawberry.field(description="Set when grouped by SHIFT.")
    hour: int | None = strawberry.field(description="0-23 (UTC); set when grouped by HOUR.")
    day: date | None = strawberry.field(description="Set when grouped by DAY (UTC).")
    currency: str
    sale_count: int
    gross: Money = strawberry.field(
        description="What the sales came to: taxes included, after discounts, before cash rounding."
    )
    net: Money = strawberry.field(description="Gross less tax.")
    tax: Money
    discounts: Money
    return_count: int
    refunds: Money = strawberry.field(description="The returned lines' gross (taxes included).")
    refunded_tax: Money
    gross_after_returns: Money
    net_after_returns: Money = strawberry.field(description="Net less the refunds' net.")


@strawberry.type(description="One tender's takings.")
class TenderTotal:
    tender: TenderKind
    payments: int = strawberry.field(description="How many tenders of this kind were taken.")
    tendered: Money = strawberry.field(
        description="Cash handed over (before change) or cards charged."
    )
    change: Money = strawberry.field(description="Cash handed back (zero for cards).")
    refunded: Money = strawberry.field(description="Paid back by returns with this tender.")
    net: Money = strawberry.field(description="Tendered less change and refunds.")


@strawberry.type(
    description="How a store was paid, in one currency: `takings` = the tenders' net = "
    "sales' gross + cashRounding - refunds - refundCashRounding."
)
class TenderMix:
    currency: str
    tenders: list[TenderTotal] = strawberry.field(description="CASH, then CARD.")
    change_given: Money
    cash_rounding: Money = strawberry.field(
        description="Added to sales' totals by rounding cash to the store's increment "
        "(negative: customers paid less)."
    )
    refund_cash_rounding: Money = strawberry.field(
        description="Added to cash refunds by the same rounding."
    )
    takings: Money


@strawberry.type(
    description="Tax of one class and rate on one day (UTC) at a store: from the sales' "
    "tax summaries, less what returns refunded."
)
class TaxCollected:
    day: date
    tax_class: str
    rate: str = strawberry.field(description="Percent, e.g. 21.")
    currency: str
    net: Money = strawberry.field(description="Taxable amount of the sales.")
    tax: Money
    gross: Money
    refunded_net: Money
    refunded_tax: Money
    collected: Money = strawberry.field(description="Tax less refunded tax.")


@strawberry.type(description="Discounts given for one reason, with one approver or promotion.")
class DiscountsGiven:
    reason: str
    approved_by: StaffMember | None = strawberry.field(
        description="The supervisor who approved them; null when none was needed."
    )
    promotion_code: str | None
    currency: str
    count: int
    amount: Money


@strawberry.type(description="Paid back with one tender (rounded cash included).")
class TenderAmount:
    tender: TenderKind
    amount: Money


@strawberry.type(description="A store's returns in one currency.")
class ReturnsSummary:
    currency: str
    return_count: int
    without_receipt_count: int
    refunded: Money = strawberry.field(description="The returned lines' gross (taxes included).")
    refunded_tax: Money
    cash_rounding: Money = strawberry.field(description="Added to cash refunds by rounding.")
    by_tender: list[TenderAmount]
    units_restocked: int = strawberry.field(description="Units back on the shelf.")
    units_written_off: int = strawberry.field(description="Units returned unsellable.")


@strawberry.type(description="What the stock at one location is worth at catalog prices.")
class LocationStockValuation:
    location_id: strawberry.ID = strawberry.field(description="MAIN or a store id.")
    store: Store | None = strawberry.field(description="Null for MAIN.")
    lines: list[StockValuationLine] = strawberry.field(
        description="Products with stock at this location; a level below zero (sold "
        "before it was booked in) is valued as the books say."
    )
    totals: list[Money] = strawberry.field(description="One entry per currency.")


@strawberry.type(description="One tender of a Z report: expected against counted.")
class TenderOverShort:
    tender: TenderKind
    expected: Money
    counted: Money
    over_short: Money = strawberry.field(description="Counted - expected (negative: short).")


@strawberry.type(description="A closed shift's Z report: over/short per tender.")
class ShiftOverShort:
    shift_id: strawberry.ID
    register: Register
    opened_by: StaffMember
    closed_by: StaffMember
    opened_at: datetime
    closed_at: datetime
    currency: str
    opening_float: Money
    sale_count: int
    refund_count: int
    void_count: int
    tenders: list[TenderOverShort]
    over_short: Money = strawberry.field(description="Over all tenders.")

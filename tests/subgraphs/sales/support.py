"""Builders shared by the sales domain tests: a Dutch store's sale, and a US one."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal as D

from subgraphs.sales.domain.money import Money
from subgraphs.sales.domain.sale import Sale
from subgraphs.sales.domain.tax import PricingMode, TaxClass, TaxPolicy, TaxTable

NOW = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
CASHIER = "staff-cashier"
SUPERVISOR = "staff-supervisor"
NL = TaxTable("NL", {TaxClass.STANDARD: D("21"), TaxClass.REDUCED: D("9"), TaxClass.ZERO: D("0")})
NL_POLICY = TaxPolicy(cash_increment=D("0.05"))
US = TaxTable("US-NY-NYC", {TaxClass.STANDARD: D("8.875"), TaxClass.ZERO: D("0")})
US_POLICY = TaxPolicy(PricingMode.EXCLUSIVE)

_ids = itertools.count(1)


def cid() -> str:
    """A fresh client command id."""
    return f"cmd-{next(_ids)}"


def eur(amount: str) -> Money:
    return Money(D(amount), "EUR")


def start(table: TaxTable = NL, policy: TaxPolicy = NL_POLICY, currency: str = "EUR") -> Sale:
    return Sale.start(
        f"sale-{next(_ids)}",
        store_id="store-ams",
        register_id="reg-1",
        shift_id="shift-1",
        currency=currency,
        tax_table=table,
        policy=policy,
        by=CASHIER,
        now=NOW,
        command_id=cid(),
    )


def add(
    sale: Sale,
    price: str,
    quantity: int = 1,
    tax_class: TaxClass = TaxClass.STANDARD,
    name: str = "Coffee beans",
    command_id: str | None = None,
) -> str:
    return sale.add_line(
        product_id=f"prod-{name}",
        sku=name.upper().replace(" ", "-"),
        name=name,
        unit_price=Money(D(price), sale.currency),
        tax_class=tax_class,
        quantity=quantity,
        by=CASHIER,
        now=NOW,
        command_id=command_id or cid(),
    )

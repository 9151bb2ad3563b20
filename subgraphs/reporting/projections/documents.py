"""Reporting's read models: flat facts from every context, shaped for the reports.

The reports themselves (daily sales, top products, lifetime value, stock valuation) are
computed from these facts at query time; the facts are what the projections materialise
and what a rebuild reproduces exactly.
"""

from __future__ import annotations

from datetime import datetime

import pymongo
from beanie import Document
from pydantic import BaseModel, Field
from pymongo import IndexModel

from eventbus.readmodel import AppliedMixin


class ProductFact(AppliedMixin, Document):
    """A product's catalog identity and current price (pos.catalog)."""

    id: str  # type: ignore[assignment]
    sku: str
    name: str
    unit_price: str
    currency: str
    active: bool = True

    class Settings:
        name = "reporting_products"


class CustomerFact(AppliedMixin, Document):
    """A customer's name (pos.customers), for customer-level reports."""

    id: str  # type: ignore[assignment]
    name: str
    registered_at: datetime

    class Settings:
        name = "reporting_customers"


class StockFact(AppliedMixin, Document):
    """One stock item's levels (pos.inventory): product x location (`warehouse`: MAIN or
    a store id). A store's level may be below zero (sold before it was booked in)."""

    id: str  # type: ignore[assignment]
    product_id: str
    warehouse: str
    on_hand: int = 0
    reserved: int = 0

    class Settings:
        name = "reporting_stock"
        indexes = ["product_id", "warehouse"]


class SoldLine(BaseModel):
    product_id: str
    sku: str
    name: str
    quantity: int
    line_total: str


class OrderFact(AppliedMixin, Document):
    """An order as sales reports count it (pos.ordering).

    `counts` is True while the order is paid and not cancelled: revenue is recognised
    on payment (PAID, then SHIPPED) and taken back when a paid order is cancelled.
    """

    id: str  # type: ignore[assignment]
    customer_id: str
    status: str
    currency: str
    total: str
    lines: list[SoldLine] = Field(default_factory=list)
    placed_at: datetime
    paid_at: datetime | None = None
    counts: bool = False

    class Settings:
        name = "reporting_orders"
        indexes = [
            IndexModel([("counts", pymongo.ASCENDING), ("paid_at", pymongo.ASCENDING)]),
            IndexModel([("customer_id", pymongo.ASCENDING)]),
            IndexModel([("lines.product_id", pymongo.ASCENDING)]),
        ]


DOCUMENTS = (ProductFact, CustomerFact, StockFact, OrderFact)

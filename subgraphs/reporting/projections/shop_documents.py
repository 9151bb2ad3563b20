"""Reporting's shop-floor facts (`pos.sales`): completed sales, returns and closed shifts.

Each is one document per stream of the sales context (a sale, a return, a shift), flat
and shaped for the reports; amounts are exact decimal strings as the events carry them.
Who did it (`cashier_id`, `opened_by`, ...) is the event's `by`, else the envelope's
actor.
"""

from __future__ import annotations

from datetime import datetime

import pymongo
from beanie import Document
from pydantic import BaseModel, Field
from pymongo import IndexModel

from eventbus.readmodel import AppliedMixin


class SaleLineFact(BaseModel):
    product_id: str
    sku: str
    name: str
    quantity: int
    net: str
    tax: str
    gross: str


class TaxFact(BaseModel):
    """One row of a tax summary (a sale's) or of a return's lines of one class and rate."""

    tax_class: str
    rate: str
    net: str
    tax: str
    gross: str


class DiscountFact(BaseModel):
    discount_id: str
    line_id: str | None
    kind: str
    value: str
    reason: str
    approved_by: str | None
    promotion_code: str | None
    amount: str


class TenderFact(BaseModel):
    kind: str
    """CASH or CARD."""
    amount: str


def _at_index(field: str) -> list[IndexModel]:
    return [IndexModel([("store_id", pymongo.ASCENDING), (field, pymongo.ASCENDING)])]


class SaleFact(AppliedMixin, Document):
    """A completed sale (SaleCompleted), with every figure of its receipt."""

    id: str  # type: ignore[assignment]
    receipt_number: str
    store_id: str
    register_id: str
    shift_id: str
    cashier_id: str
    customer_id: str | None = None
    currency: str
    completed_at: datetime
    subtotal: str
    discount_total: str
    tax_total: str
    total: str
    cash_tendered: str
    card: str
    change: str
    cash_rounding: str
    lines: list[SaleLineFact] = Field(default_factory=list)
    taxes: list[TaxFact] = Field(default_factory=list)
    discounts: list[DiscountFact] = Field(default_factory=list)
    tenders: list[TenderFact] = Field(default_factory=list)

    class Settings:
        name = "reporting_sales"
        indexes = _at_index("completed_at")


class ReturnedLineFact(BaseModel):
    product_id: str
    sku: str
    name: str
    tax_class: str
    rate: str
    quantity: int
    net: str
    tax: str
    gross: str
    disposition: str
    """RESTOCK or WRITE_OFF."""


class ReturnFact(AppliedMixin, Document):
    """A processed return (ReturnProcessed), counted where and when it was refunded."""

    id: str  # type: ignore[assignment]
    store_id: str
    register_id: str
    shift_id: str
    cashier_id: str
    currency: str
    processed_at: datetime
    sale_id: str | None = None
    receipt_number: str | None = None
    approved_by: str | None = None
    reason: str
    lines: list[ReturnedLineFact] = Field(default_factory=list)
    refunds: list[TenderFact] = Field(default_factory=list)
    cash_rounding: str

    class Settings:
        name = "reporting_returns"
        indexes = _at_index("processed_at")


class TenderBalanceFact(BaseModel):
    kind: str
    expected: str
    counted: str | None = None
    over_short: str | None = None


class ShiftFact(AppliedMixin, Document):
    """A cash shift: opened (ShiftOpened), then closed with its Z report (ShiftClosed)."""

    id: str  # type: ignore[assignment]
    store_id: str
    register_id: str
    currency: str
    opened_by: str
    opened_at: datetime
    opening_float: str
    closed_by: str | None = None
    closed_at: datetime | None = None
    sales: int = 0
    refunds: int = 0
    voids: int = 0
    pay_ins: str = "0"
    pay_outs: str = "0"
    drops: str = "0"
    tenders: list[TenderBalanceFact] = Field(default_factory=list)
    """From the Z report: expected against counted per tender."""

    class Settings:
        name = "reporting_shifts"
        indexes = _at_index("closed_at")


SHOP_DOCUMENTS = (SaleFact, ReturnFact, ShiftFact)

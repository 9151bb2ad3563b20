"""Ordering's read models: its own copies of products and customers (from pos.catalog and
pos.customers events), and the orders as GraphQL shows them."""

from __future__ import annotations

from datetime import datetime

import pymongo
from beanie import Document
from pydantic import BaseModel, Field
from pymongo import IndexModel

from eventbus.readmodel import AppliedMixin


class AddressDoc(BaseModel):
    line1: str
    line2: str = ""
    city: str
    postal_code: str
    country: str


class KnownProduct(AppliedMixin, Document):
    """A product as ordering prices it (latest catalog price, sku, name, active)."""

    id: str  # type: ignore[assignment]
    sku: str
    name: str
    unit_price: str
    currency: str
    active: bool = True

    class Settings:
        name = "ordering_products"


class KnownCustomer(AppliedMixin, Document):
    """A customer as ordering needs one: that it exists, and its default address."""

    id: str  # type: ignore[assignment]
    name: str
    address: AddressDoc | None = None

    class Settings:
        name = "ordering_customers"


class LineDoc(BaseModel):
    product_id: str
    sku: str
    name: str
    quantity: int
    unit_price: str
    line_total: str


class PaymentDoc(BaseModel):
    method: str
    amount: str
    currency: str
    paid_at: datetime


class RefundDoc(BaseModel):
    method: str
    amount: str
    currency: str
    refunded_at: datetime


class ReasonDoc(BaseModel):
    product_id: str
    reason: str
    requested: int | None = None
    available: int | None = None


class OrderView(AppliedMixin, Document):
    id: str  # type: ignore[assignment]
    number: str
    customer_id: str
    status: str
    lines: list[LineDoc]
    currency: str
    subtotal: str
    total: str
    shipping_address: AddressDoc
    payment: PaymentDoc | None = None
    refund: RefundDoc | None = None
    """Set when a PAID order was cancelled: its payment given back."""
    rejection_reasons: list[ReasonDoc] = Field(default_factory=list)
    cancellation_reason: str | None = None
    placed_at: datetime
    placed_by: str | None = None
    """The staff id in the OrderPlaced event's actor (None: the system, or older events)."""
    confirmed_at: datetime | None = None
    rejected_at: datetime | None = None
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    cancelled_at: datetime | None = None
    updated_at: datetime

    class Settings:
        name = "ordering_orders"
        indexes = [
            IndexModel([("number", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)]),
            IndexModel([("customer_id", pymongo.ASCENDING), ("number", pymongo.ASCENDING)]),
            IndexModel([("status", pymongo.ASCENDING), ("number", pymongo.ASCENDING)]),
        ]

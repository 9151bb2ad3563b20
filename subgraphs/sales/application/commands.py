"""Typed commands of the sales context. Every command carries the till's `command_id`
(a retry with the same id returns the first outcome) and who gives it: `by` (a staff
id) and that member's `scopes`, from which the handlers decide approvals (a discount
past the threshold, voiding a paid sale, a return past its window)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class SalesCommand:
    command_id: str
    by: str
    scopes: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, kw_only=True)
class Amount:
    """An amount as a till sends it: a decimal string and its currency."""

    amount: str
    currency: str


# -- shifts ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OpenShift(SalesCommand):
    register_id: str
    float_total: Amount | None = None
    float_denominations: Mapping[str, int] | None = None
    """Face value (decimal string) -> how many."""


@dataclass(frozen=True, kw_only=True)
class MoveCash(SalesCommand):
    shift_id: str
    kind: str
    """DROP, PAY_IN or PAY_OUT."""
    amount: Amount
    reason: str


@dataclass(frozen=True, kw_only=True)
class TakeXReport(SalesCommand):
    shift_id: str


@dataclass(frozen=True, kw_only=True)
class CloseShift(SalesCommand):
    shift_id: str
    counted_total: Amount | None = None
    counted_denominations: Mapping[str, int] | None = None
    counted_card: Amount | None = None


# -- sales ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StartSale(SalesCommand):
    register_id: str
    sale_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class AddSaleLine(SalesCommand):
    """Exactly one of `product_id`, `sku`, `barcode`."""

    sale_id: str
    product_id: str | None = None
    sku: str | None = None
    barcode: str | None = None
    quantity: int = 1


@dataclass(frozen=True, kw_only=True)
class ChangeLineQuantity(SalesCommand):
    sale_id: str
    line_id: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class RemoveLine(SalesCommand):
    sale_id: str
    line_id: str


@dataclass(frozen=True, kw_only=True)
class ApplyDiscount(SalesCommand):
    """`percent` for a PERCENT discount, `amount` for an AMOUNT one; `line_id` None:
    the whole sale."""

    sale_id: str
    kind: str
    reason: str
    line_id: str | None = None
    percent: str | None = None
    amount: Amount | None = None


@dataclass(frozen=True, kw_only=True)
class RemoveDiscount(SalesCommand):
    sale_id: str
    discount_id: str


@dataclass(frozen=True, kw_only=True)
class CreatePromotion(SalesCommand):
    code: str
    kind: str
    valid_from: datetime
    valid_until: datetime
    percent: str | None = None
    amount: Amount | None = None
    usage_limit: int | None = None


@dataclass(frozen=True, kw_only=True)
class RedeemPromotion(SalesCommand):
    sale_id: str
    code: str
    line_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class AttachCustomer(SalesCommand):
    sale_id: str
    customer_id: str


@dataclass(frozen=True, kw_only=True)
class SaleCommand(SalesCommand):
    """Commands naming only the sale: detach the customer, park, resume, complete."""

    sale_id: str


@dataclass(frozen=True, kw_only=True)
class VoidSale(SalesCommand):
    sale_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class AddTender(SalesCommand):
    sale_id: str
    kind: str
    """CASH (what the customer handed over) or CARD (what was charged)."""
    amount: Amount
    reference: str | None = None


# -- returns --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReturnLineInput:
    line_id: str
    quantity: int
    disposition: str = "RESTOCK"


@dataclass(frozen=True, kw_only=True)
class ReturnSale(SalesCommand):
    """Lines of a completed sale back at `register_id` (its open shift pays out)."""

    sale_id: str
    register_id: str
    lines: Sequence[ReturnLineInput]
    reason: str
    refund_method: str = "ORIGINAL"


@dataclass(frozen=True, kw_only=True)
class UnreceiptedLineInput:
    product_id: str
    quantity: int
    disposition: str = "RESTOCK"


@dataclass(frozen=True, kw_only=True)
class ReturnWithoutReceipt(SalesCommand):
    """Goods without a receipt back at `register_id`: a supervisor's call, cash only."""

    register_id: str
    lines: Sequence[UnreceiptedLineInput]
    reason: str

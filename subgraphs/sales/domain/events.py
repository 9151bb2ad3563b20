"""Events of the sales context (sales, receipt numbers, promotions, returns), published
on `pos.sales`.

Every event names who caused it (`by`, a staff id), when (`at`) and the client's
command id (`command_id`), so an aggregate can tell a retried command from a new one
after a reload, and reports can say who did what. Value objects (lines, discounts,
tenders, figures) travel as the domain's own frozen dataclasses.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from eventbus import DomainEvent, event
from subgraphs.sales.domain.discounts import Discount
from subgraphs.sales.domain.figures import SaleFigures, SaleLine
from subgraphs.sales.domain.refunds import RefundLine, TenderRefund
from subgraphs.sales.domain.tax import TaxPolicy
from subgraphs.sales.domain.tenders import Settlement, Tender


class SalesEvent(DomainEvent):
    command_id: str
    by: str
    """The staff id of whoever gave the command."""
    at: datetime


class SaleEvent(SalesEvent):
    sale_id: str


@event("pos.sales.SaleStarted")
class SaleStarted(SaleEvent):
    store_id: str
    register_id: str
    shift_id: str
    currency: str
    tax_region: str
    tax_rates: dict[str, Decimal]
    policy: TaxPolicy


@event("pos.sales.CustomerAttached")
class CustomerAttached(SaleEvent):
    customer_id: str


@event("pos.sales.CustomerDetached")
class CustomerDetached(SaleEvent):
    customer_id: str


@event("pos.sales.LineAdded")
class LineAdded(SaleEvent):
    line: SaleLine


@event("pos.sales.LineQuantityChanged")
class LineQuantityChanged(SaleEvent):
    line_id: str
    quantity: int


@event("pos.sales.LineRemoved")
class LineRemoved(SaleEvent):
    line_id: str


@event("pos.sales.DiscountApplied")
class DiscountApplied(SaleEvent):
    discount: Discount


@event("pos.sales.DiscountRemoved")
class DiscountRemoved(SaleEvent):
    discount_id: str


@event("pos.sales.SaleParked")
class SaleParked(SaleEvent):
    pass


@event("pos.sales.SaleResumed")
class SaleResumed(SaleEvent):
    pass


@event("pos.sales.TenderAdded")
class TenderAdded(SaleEvent):
    tender: Tender


@event("pos.sales.SaleVoided")
class SaleVoided(SaleEvent):
    """`by` is the voider; with tenders taken that needs the `sales:void` scope."""

    reason: str
    had_tenders: bool


@event("pos.sales.SaleCompleted")
class SaleCompleted(SaleEvent):
    """Every figure a receipt needs; `by` is the cashier who completed it."""

    receipt_number: str
    store_id: str
    register_id: str
    shift_id: str
    customer_id: str | None
    figures: SaleFigures
    tenders: tuple[Tender, ...]
    settlement: Settlement


@event("pos.sales.SaleReturnRecorded")
class SaleReturnRecorded(SaleEvent):
    """On the original sale: these quantities (and refunds) are now returned."""

    return_id: str
    lines: tuple[RefundLine, ...]
    tender_refunds: tuple[TenderRefund, ...]


@event("pos.sales.ReceiptNumberTaken")
class ReceiptNumberTaken(SalesEvent):
    register_id: str
    sequence: int
    receipt_number: str
    sale_id: str


@event("pos.sales.PromotionCreated")
class PromotionCreated(SalesEvent):
    code: str
    kind: str
    value: Decimal
    currency: str | None
    valid_from: datetime
    valid_until: datetime
    usage_limit: int | None


@event("pos.sales.PromotionRedeemed")
class PromotionRedeemed(SalesEvent):
    code: str
    sale_id: str


@event("pos.sales.PromotionRedemptionReleased")
class PromotionRedemptionReleased(SalesEvent):
    """The sale was voided or its discount removed: the use is given back."""

    code: str
    sale_id: str


@event("pos.sales.ReturnProcessed")
class ReturnProcessed(SalesEvent):
    """The return document: what came back, where it goes, what was refunded how."""

    return_id: str
    store_id: str
    register_id: str
    shift_id: str
    currency: str
    sale_id: str | None
    receipt_number: str | None
    lines: tuple[RefundLine, ...]
    tender_refunds: tuple[TenderRefund, ...]
    cash_rounding: Decimal
    approved_by: str | None
    reason: str

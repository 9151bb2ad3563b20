"""The sales domain: sales at a register, taxes, discounts, promotions, tenders,
receipt numbers and documents, returns, cash shifts. Pure: no I/O, no clock."""

from subgraphs.sales.domain.cash import CashCount, count_cash
from subgraphs.sales.domain.discounts import DEFAULT_APPROVAL_THRESHOLD, Discount, DiscountKind
from subgraphs.sales.domain.errors import (
    ApprovalRequired,
    CurrencyMismatch,
    SaleInputError,
    StateConflict,
)
from subgraphs.sales.domain.figures import LineFigures, SaleFigures, SaleLine, compute_figures
from subgraphs.sales.domain.money import Money, RoundingMode
from subgraphs.sales.domain.promotions import Promotion, promotion_id
from subgraphs.sales.domain.receipt import ReceiptHeader, receipt_html, receipt_text
from subgraphs.sales.domain.receipt_sequence import (
    ReceiptSequence,
    format_receipt_number,
    receipt_sequence_id,
)
from subgraphs.sales.domain.refunds import Disposition, RefundLine, RefundMethod, TenderRefund
from subgraphs.sales.domain.register_claim import RegisterShiftClaim, register_claim_id
from subgraphs.sales.domain.sale import Sale
from subgraphs.sales.domain.sale_return import Counter, ReturnItem, SaleReturn, UnreceiptedItem
from subgraphs.sales.domain.sale_state import SaleStatus
from subgraphs.sales.domain.shift import MovementKind, Shift, ShiftStatus
from subgraphs.sales.domain.shift_report import ShiftReport, TenderBalance
from subgraphs.sales.domain.tax import (
    PricingMode,
    RoundingLevel,
    TaxClass,
    TaxPolicy,
    TaxSummaryRow,
    TaxTable,
    parse_tax_class,
)
from subgraphs.sales.domain.tenders import Settlement, Tender, TenderKind

__all__ = [
    "DEFAULT_APPROVAL_THRESHOLD",
    "ApprovalRequired",
    "CashCount",
    "Counter",
    "CurrencyMismatch",
    "Discount",
    "DiscountKind",
    "Disposition",
    "LineFigures",
    "Money",
    "MovementKind",
    "PricingMode",
    "Promotion",
    "ReceiptHeader",
    "ReceiptSequence",
    "RefundLine",
    "RefundMethod",
    "RegisterShiftClaim",
    "ReturnItem",
    "RoundingLevel",
    "RoundingMode",
    "Sale",
    "SaleFigures",
    "SaleInputError",
    "SaleLine",
    "SaleReturn",
    "SaleStatus",
    "Settlement",
    "Shift",
    "ShiftReport",
    "ShiftStatus",
    "StateConflict",
    "TaxClass",
    "TaxPolicy",
    "TaxSummaryRow",
    "TaxTable",
    "Tender",
    "TenderBalance",
    "TenderKind",
    "TenderRefund",
    "UnreceiptedItem",
    "compute_figures",
    "count_cash",
    "format_receipt_number",
    "parse_tax_class",
    "promotion_id",
    "receipt_html",
    "receipt_sequence_id",
    "receipt_text",
    "register_claim_id",
]

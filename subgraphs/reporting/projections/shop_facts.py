"""The shop-floor projections of `pos.sales`: one document per sale, return and shift.

Read by published type name and data keys (the sales context's contract, see
subgraphs/sales/README.md), never by importing that context:

- `SaleCompleted` holds every figure of a sale (lines, discounts, tax summary, tenders,
  settlement), so a `SaleFact` is made from it alone; the events before it (lines added,
  tenders taken) and a void (only an open sale can be voided) change no report.
- `ReturnProcessed` is the return document: where and when it was refunded, its lines
  with disposition and tax, the tender refunds and their cash rounding.
- `ShiftOpened` and `ShiftClosed` (its Z report) make the shift's over/short.

Each document records the stream versions it applied (`DocumentProjection`), so a
redelivered event changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventbus import Envelope, topic_for
from eventbus.document_projection import DocumentProjection
from subgraphs.reporting.projections.shop_documents import (
    DiscountFact,
    ReturnedLineFact,
    ReturnFact,
    SaleFact,
    SaleLineFact,
    ShiftFact,
    TaxFact,
    TenderBalanceFact,
    TenderFact,
)

SALES = topic_for("sales")


def staff_of(envelope: Envelope) -> str:
    """Who caused the event: the sales event's `by`, else the envelope's actor."""
    by = envelope.data.get("by")
    if by:
        return str(by)
    actor = envelope.actor or {}
    return str(actor.get("staffId") or actor.get("system") or "")


def _at(envelope: Envelope) -> datetime:
    raw = envelope.data.get("at")
    return datetime.fromisoformat(raw) if isinstance(raw, str) else envelope.time


def _s(value: Any) -> str:
    return "0" if value is None else str(value)


class SaleFacts(DocumentProjection[SaleFact]):
    name = "reporting.sales"
    topics = (SALES,)
    document = SaleFact

    def change(self, doc: SaleFact | None, name: str, envelope: Envelope) -> SaleFact | None:
        if name != "pos.sales.SaleCompleted" or doc is not None:
            return None
        data = envelope.data
        figures: dict[str, Any] = data["figures"]
        settlement: dict[str, Any] = data["settlement"]
        return SaleFact(
            id=envelope.subject,
            receipt_number=data["receipt_number"],
            store_id=data["store_id"],
            register_id=data["register_id"],
            shift_id=data["shift_id"],
            cashier_id=staff_of(envelope),
            customer_id=data.get("customer_id"),
            currency=figures["currency"],
            completed_at=_at(envelope),
            subtotal=_s(figures["subtotal"]),
            discount_total=_s(figures["discount_total"]),
            tax_total=_s(figures["tax_total"]),
            total=_s(figures["total"]),
            cash_tendered=_s(settlement["cash"]),
            card=_s(settlement["card"]),
            change=_s(settlement["change"]),
            cash_rounding=_s(settlement["cash_rounding"]),
            lines=[
                SaleLineFact(
                    product_id=ln["product_id"],
                    sku=ln["sku"],
                    name=ln["name"],
                    quantity=int(ln["quantity"]),
                    net=_s(ln["net"]),
                    tax=_s(ln["tax"]),
                    gross=_s(ln["gross"]),
                )
                for ln in figures["lines"]
            ],
            taxes=[_tax(row) for row in figures["tax_summary"]],
            discounts=[_discount(d) for d in figures["discounts"]],
            tenders=[TenderFact(kind=t["kind"], amount=_s(t["amount"])) for t in data["tenders"]],
        )


def _tax(row: dict[str, Any]) -> TaxFact:
    return TaxFact(
        tax_class=row["tax_class"],
        rate=_s(row["rate"]),
        net=_s(row["net"]),
        tax=_s(row["tax"]),
        gross=_s(row["gross"]),
    )


def _discount(raw: dict[str, Any]) -> DiscountFact:
    discount: dict[str, Any] = raw["discount"]
    return DiscountFact(
        discount_id=discount["discount_id"],
        line_id=discount.get("line_id"),
        kind=discount["kind"],
        value=_s(discount["value"]),
        reason=discount["reason"],
        approved_by=discount.get("approved_by") or None,
        promotion_code=discount.get("promotion_code") or None,
        amount=_s(raw["amount"]),
    )


class ReturnFacts(DocumentProjection[ReturnFact]):
    name = "reporting.returns"
    topics = (SALES,)
    document = ReturnFact

    def change(self, doc: ReturnFact | None, name: str, envelope: Envelope) -> ReturnFact | None:
        if name != "pos.sales.ReturnProcessed" or doc is not None:
            return None
        data = envelope.data
        return ReturnFact(
            id=envelope.subject,
            store_id=data["store_id"],
            register_id=data["register_id"],
            shift_id=data["shift_id"],
            cashier_id=staff_of(envelope),
            currency=data["currency"],
            processed_at=_at(envelope),
            sale_id=data.get("sale_id"),
            receipt_number=data.get("receipt_number"),
            approved_by=data.get("approved_by") or None,
            reason=data.get("reason") or "",
            lines=[
                ReturnedLineFact(
                    product_id=ln["product_id"],
                    sku=ln["sku"],
                    name=ln["name"],
                    tax_class=ln["tax_class"],
                    rate=_s(ln["rate"]),
                    quantity=int(ln["quantity"]),
                    net=_s(ln["net"]),
                    tax=_s(ln["tax"]),
                    gross=_s(ln["gross"]),
                    disposition=ln.get("disposition") or "RESTOCK",
                )
                for ln in data["lines"]
            ],
            refunds=[
                TenderFact(kind=r["kind"], amount=_s(r["amount"])) for r in data["tender_refunds"]
            ],
            cash_rounding=_s(data.get("cash_rounding")),
        )


class ShiftFacts(DocumentProjection[ShiftFact]):
    name = "reporting.shifts"
    topics = (SALES,)
    document = ShiftFact

    def change(self, doc: ShiftFact | None, name: str, envelope: Envelope) -> ShiftFact | None:
        data = envelope.data
        if name == "pos.sales.ShiftOpened":
            if doc is not None:
                return None
            return ShiftFact(
                id=envelope.subject,
                store_id=data["store_id"],
                register_id=data["register_id"],
                currency=data["currency"],
                opened_by=staff_of(envelope),
                opened_at=_at(envelope),
                opening_float=_s(data["opening_float"]["total"]),
            )
        if name != "pos.sales.ShiftClosed":
            return None
        report: dict[str, Any] = data["report"]
        if doc is None:  # the opening never reached us: keep what the Z report says
            doc = ShiftFact(
                id=envelope.subject,
                store_id="",
                register_id=report["register_id"],
                currency=report["currency"],
                opened_by="",
                opened_at=_at(envelope),
                opening_float=_s(report["opening_float"]),
            )
        doc.closed_by, doc.closed_at = staff_of(envelope), _at(envelope)
        doc.sales, doc.refunds, doc.voids = (
            int(report["sales"]),
            int(report["refunds"]),
            int(report["voids"]),
        )
        doc.pay_ins, doc.pay_outs, doc.drops = (
            _s(report["pay_ins"]),
            _s(report["pay_outs"]),
            _s(report["drops"]),
        )
        doc.tenders = [
            TenderBalanceFact(
                kind=t["kind"],
                expected=_s(t["expected"]),
                counted=None if t.get("counted") is None else str(t["counted"]),
                over_short=None if t.get("over_short") is None else str(t["over_short"]),
            )
            for t in report["tenders"]
        ]
        return doc

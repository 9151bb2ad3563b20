"""Projection `sales.view`: this context's own events (pos.sales) -> `SaleView`,
`ShiftView`, `ReturnView`, `PromotionView` (one document per stream).

Idempotent per stream version. Receipt-sequence and register-claim events have no
document of their own (a sale's receipt number is on its SaleCompleted; a register's
open shift is the ShiftView with status OPEN) and count as applied.
"""

from __future__ import annotations

from typing import Any

import orjson
from beanie import Document

from eventbus import DomainEvent, Envelope, topic_for
from eventbus.projection import Projection
from eventbus.readmodel import AppliedMixin, is_applied, mark_applied
from eventbus.repository import to_domain
from subgraphs.sales.domain import events as sale_events
from subgraphs.sales.domain import shift_events
from subgraphs.sales.projections.documents import (
    PromotionView,
    ReturnView,
    SaleView,
    ShiftView,
)


def _types(*classes: type[DomainEvent]) -> set[str]:
    return {c.event_type for c in classes}


SALE_TYPES = _types(
    sale_events.SaleStarted,
    sale_events.CustomerAttached,
    sale_events.CustomerDetached,
    sale_events.LineAdded,
    sale_events.LineQuantityChanged,
    sale_events.LineRemoved,
    sale_events.DiscountApplied,
    sale_events.DiscountRemoved,
    sale_events.SaleParked,
    sale_events.SaleResumed,
    sale_events.TenderAdded,
    sale_events.SaleVoided,
    sale_events.SaleCompleted,
    sale_events.SaleReturnRecorded,
)
SHIFT_TYPES = _types(
    shift_events.ShiftOpened,
    shift_events.CashMovementRecorded,
    shift_events.SaleOpenedOnShift,
    shift_events.SaleRecordedOnShift,
    shift_events.SaleVoidedOnShift,
    shift_events.RefundRecordedOnShift,
    shift_events.XReportTaken,
    shift_events.ShiftClosed,
)
PROMOTION_TYPES = _types(
    sale_events.PromotionCreated,
    sale_events.PromotionRedeemed,
    sale_events.PromotionRedemptionReleased,
)
RETURN_TYPE = sale_events.ReturnProcessed.event_type
_DOCUMENT: dict[str, type[Document]] = {
    **dict.fromkeys(SALE_TYPES, SaleView),
    **dict.fromkeys(SHIFT_TYPES, ShiftView),
    **dict.fromkeys(PROMOTION_TYPES, PromotionView),
    RETURN_TYPE: ReturnView,
}
_STATUS: dict[type[DomainEvent], str] = {
    sale_events.SaleParked: "PARKED",
    sale_events.SaleResumed: "OPEN",
    sale_events.SaleVoided: "VOIDED",
    sale_events.SaleCompleted: "COMPLETED",
}


def _logged(envelope: Envelope) -> dict[str, Any]:
    """The event as kept in its document: the data as JSON text, because a cash count's
    denominations are pairs (nested arrays), which FerretDB and the embedded store
    refuse; the view never queries inside an event."""
    return {"type": envelope.type, "json": orjson.dumps(envelope.data).decode()}


def _actor_name(envelope: Envelope) -> str | None:
    name = (envelope.actor or {}).get("name")
    return str(name) if name else None


class SalesView(Projection):
    name = "sales.view"
    topics = (topic_for("sales"),)

    async def _current(self, envelope: Envelope) -> Any:
        document = _DOCUMENT.get(envelope.type)
        return await document.get(envelope.subject) if document is not None else None

    async def has_applied(self, envelope: Envelope) -> bool:
        if envelope.type not in _DOCUMENT:
            return True
        return is_applied(await self._current(envelope), envelope)

    async def apply(self, envelope: Envelope) -> None:
        if envelope.type not in _DOCUMENT:
            return
        doc = await self._current(envelope)
        if is_applied(doc, envelope):
            return
        event = to_domain(envelope)
        if envelope.type in SALE_TYPES:
            doc = self._sale(doc, event, envelope)
        elif envelope.type in SHIFT_TYPES:
            doc = self._shift(doc, event, envelope)
        elif isinstance(event, sale_events.ReturnProcessed):
            doc = ReturnView(
                id=envelope.subject, sale_id=event.sale_id, at=event.at, data=envelope.data
            )
        elif isinstance(event, sale_events.PromotionCreated):
            doc = PromotionView(id=envelope.subject, code=event.code, events=[_logged(envelope)])
        elif isinstance(doc, PromotionView):
            doc.events.append(_logged(envelope))
        if doc is None:
            raise LookupError(f"{envelope.type} for {envelope.subject} before its first event")
        assert isinstance(doc, AppliedMixin) and isinstance(doc, Document)
        mark_applied(doc, envelope)
        await doc.save()

    @staticmethod
    def _sale(doc: SaleView | None, event: Any, envelope: Envelope) -> SaleView | None:
        if isinstance(event, sale_events.SaleStarted):
            return SaleView(
                id=envelope.subject,
                store_id=event.store_id,
                register_id=event.register_id,
                shift_id=event.shift_id,
                status="OPEN",
                currency=event.currency,
                started_at=event.at,
                started_key=event.at.isoformat(),
                started_by=event.by,
                cashier_name=_actor_name(envelope),
                events=[_logged(envelope)],
            )
        if doc is None:
            return None
        doc.events.append(_logged(envelope))
        doc.status = _STATUS.get(type(event), doc.status)
        if isinstance(event, sale_events.SaleCompleted):
            doc.receipt_number = event.receipt_number
            doc.completed_at = event.at
            doc.completed_key = event.at.isoformat()
            doc.total = str(event.figures.total)
            doc.cashier_name = _actor_name(envelope) or doc.cashier_name
        return doc

    @staticmethod
    def _shift(doc: ShiftView | None, event: Any, envelope: Envelope) -> ShiftView | None:
        if isinstance(event, shift_events.ShiftOpened):
            return ShiftView(
                id=envelope.subject,
                register_id=event.register_id,
                store_id=event.store_id,
                status="OPEN",
                opened_at=event.at,
                opened_key=event.at.isoformat(),
                changed_at=event.at,
                events=[_logged(envelope)],
            )
        if doc is None:
            return None
        doc.events.append(_logged(envelope))
        doc.changed_at = event.at
        if isinstance(event, shift_events.ShiftClosed):
            doc.status, doc.closed_at = "CLOSED", event.at
        return doc

    async def reset(self) -> None:
        for document in (SaleView, ShiftView, ReturnView, PromotionView):
            await document.delete_all()


def sale_fold(doc: SaleView | None, envelope: Envelope) -> SaleView | None:
    """`SalesView`'s fold of a sale's stream (pure), for time travel."""
    if envelope.type not in SALE_TYPES:
        return None
    return SalesView._sale(doc, to_domain(envelope), envelope)


def shift_fold(doc: ShiftView | None, envelope: Envelope) -> ShiftView | None:
    """`SalesView`'s fold of a shift's stream (pure), for time travel."""
    if envelope.type not in SHIFT_TYPES:
        return None
    return SalesView._shift(doc, to_domain(envelope), envelope)

"""Projection `ordering.orders`: pos.ordering events -> `OrderView` documents."""

from __future__ import annotations

from collections.abc import Sequence

from eventbus import Envelope, topic_for
from eventbus.projection import Projection
from eventbus.readmodel import is_applied, mark_applied
from eventbus.repository import to_domain
from subgraphs.ordering.domain import (
    OrderCancelled,
    OrderConfirmed,
    OrderNumberAllocated,
    OrderPaid,
    OrderPlaced,
    OrderRefunded,
    OrderRejected,
    OrderShipped,
    OrderStatus,
)
from subgraphs.ordering.projections.documents import (
    AddressDoc,
    LineDoc,
    OrderView,
    PaymentDoc,
    ReasonDoc,
    RefundDoc,
)


class OrdersProjection(Projection):
    name = "ordering.orders"
    topics = (topic_for("ordering"),)

    async def has_applied(self, envelope: Envelope) -> bool:
        if envelope.type == OrderNumberAllocated.event_type:
            return True  # the day's counter: nothing to show
        return is_applied(await OrderView.get(envelope.subject), envelope)

    async def reset(self) -> None:
        await OrderView.delete_all()

    async def apply(self, envelope: Envelope) -> None:
        doc = await OrderView.get(envelope.subject)
        if is_applied(doc, envelope):
            return
        changed = evolve(doc, envelope)
        if changed is None:
            return
        mark_applied(changed, envelope)
        await changed.save()


def fold(envelopes: Sequence[Envelope]) -> OrderView | None:
    """The view of one order straight from its stream (the write model), for a mutation
    that answers before the projection caught up."""
    doc: OrderView | None = None
    for envelope in envelopes:
        doc = evolve(doc, envelope) or doc
        if doc is not None:
            mark_applied(doc, envelope)
    return doc


def _staff_id(envelope: Envelope) -> str | None:
    staff = (envelope.actor or {}).get("staffId")
    return str(staff) if staff else None


def evolve(doc: OrderView | None, envelope: Envelope) -> OrderView | None:
    """The view after `envelope` (pure, no I/O); None when the event changes nothing."""
    event = to_domain(envelope)
    if isinstance(event, OrderPlaced):
        return OrderView(
            id=envelope.subject,
            number=event.number,
            customer_id=event.customer_id,
            status=OrderStatus.PENDING.value,
            lines=[LineDoc(**line.model_dump()) for line in event.lines],
            currency=event.currency,
            subtotal=event.subtotal,
            total=event.total,
            shipping_address=AddressDoc(**event.shipping_address.model_dump()),
            placed_at=event.placed_at,
            placed_by=_staff_id(envelope),
            updated_at=event.placed_at,
        )
    if doc is None:
        return None
    match event:
        case OrderConfirmed():
            doc.status, doc.confirmed_at = OrderStatus.CONFIRMED.value, event.confirmed_at
        case OrderRejected():
            doc.status, doc.rejected_at = OrderStatus.REJECTED.value, event.rejected_at
            doc.rejection_reasons = [ReasonDoc(**r.model_dump()) for r in event.reasons]
        case OrderPaid():
            doc.status, doc.paid_at = OrderStatus.PAID.value, event.paid_at
            doc.payment = PaymentDoc(
                method=event.method,
                amount=event.amount,
                currency=event.currency,
                paid_at=event.paid_at,
            )
        case OrderShipped():
            doc.status, doc.shipped_at = OrderStatus.SHIPPED.value, event.shipped_at
        case OrderCancelled():
            doc.status, doc.cancelled_at = OrderStatus.CANCELLED.value, event.cancelled_at
            doc.cancellation_reason = event.reason or None
        case OrderRefunded():
            doc.refund = RefundDoc(
                method=event.method,
                amount=event.amount,
                currency=event.currency,
                refunded_at=event.refunded_at,
            )
        case _:
            return None
    doc.updated_at = envelope.time
    return doc

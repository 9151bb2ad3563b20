"""Projection `inventory.movements`: transfers between locations and stock counts, as a
back office lists them (pos.inventory TransferSent / TransferReceived /
StockCountRecorded -> `TransferView`, `StockCountView`).

One document per transfer or count stream, guarded by the stream version (idempotent).
A transfer's lines keep what was sent and, once received, what arrived and the
difference; `locations` holds both ends so one query finds a store's transfers either
way. Sort keys are the event times as ISO strings (`paginate` orders by a JSON scalar).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie import Document
from pydantic import Field

from eventbus import Envelope, topic_for
from eventbus.projection import Projection
from eventbus.readmodel import AppliedMixin, is_applied, mark_applied
from subgraphs.inventory.domain.events import StockCountRecorded, TransferReceived, TransferSent

SENT, RECEIVED, COUNTED = (
    TransferSent.event_type,
    TransferReceived.event_type,
    StockCountRecorded.event_type,
)


class TransferView(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the transfer id
    from_location: str
    to_location: str
    locations: list[str]
    status: str
    lines: list[dict[str, Any]] = Field(default_factory=list)
    """{product_id, sent, received (None until received), difference}."""
    sent_at: datetime
    sent_key: str
    received_at: datetime | None = None

    class Settings:
        name = "inventory_transfers"
        indexes = ["locations"]


class StockCountView(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the count id
    location_id: str
    lines: list[dict[str, Any]] = Field(default_factory=list)
    """{product_id, expected, counted, variance}."""
    counted_at: datetime
    counted_key: str

    class Settings:
        name = "inventory_counts"
        indexes = ["location_id"]


_DOCUMENT: dict[str, type[Document]] = {
    SENT: TransferView,
    RECEIVED: TransferView,
    COUNTED: StockCountView,
}


class Movements(Projection):
    name = "inventory.movements"
    topics = (topic_for("inventory"),)

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
        doc = evolve(doc, envelope)
        assert isinstance(doc, AppliedMixin) and isinstance(doc, Document)
        mark_applied(doc, envelope)
        await doc.save()

    async def reset(self) -> None:
        await TransferView.delete_all()
        await StockCountView.delete_all()


def evolve(doc: Any, envelope: Envelope) -> TransferView | StockCountView:
    """The transfer's or count's view after `envelope` (pure, no I/O; changes `doc` in
    place). `apply` and time travel (`asOf`, `history`) both fold with it."""
    data, at = envelope.data, envelope.time
    if envelope.type == SENT:
        doc = TransferView(
            id=envelope.subject,
            from_location=data["from_location"],
            to_location=data["to_location"],
            locations=[data["from_location"], data["to_location"]],
            status="IN_TRANSIT",
            lines=[
                {
                    "product_id": line["product_id"],
                    "sent": int(line["quantity"]),
                    "received": None,
                    "difference": None,
                }
                for line in data["lines"]
            ],
            sent_at=at,
            sent_key=at.isoformat(),
        )
    elif envelope.type == COUNTED:
        doc = StockCountView(
            id=envelope.subject,
            location_id=data["location_id"],
            lines=[dict(line) for line in data["lines"]],
            counted_at=at,
            counted_key=at.isoformat(),
        )
    elif doc is None:
        raise LookupError(f"{envelope.type} for transfer {envelope.subject} before it was sent")
    else:
        arrived = {line["product_id"]: line for line in data["lines"]}
        doc.lines = [
            {
                **line,
                "received": int(arrived[line["product_id"]]["received"]),
                "difference": int(arrived[line["product_id"]]["difference"]),
            }
            if line["product_id"] in arrived
            else line
            for line in doc.lines
        ]
        doc.status, doc.received_at = "RECEIVED", at
    changed: TransferView | StockCountView = doc
    return changed


def transfer_fold(doc: TransferView | None, envelope: Envelope) -> TransferView | None:
    """`evolve` for a transfer's stream only."""
    if envelope.type not in (SENT, RECEIVED):
        return None
    changed = evolve(doc, envelope)
    return changed if isinstance(changed, TransferView) else None


def count_fold(doc: StockCountView | None, envelope: Envelope) -> StockCountView | None:
    """`evolve` for a stock count's stream only."""
    if envelope.type != COUNTED:
        return None
    changed = evolve(doc, envelope)
    return changed if isinstance(changed, StockCountView) else None

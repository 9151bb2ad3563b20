"""Projection `inventory.stock`: stock levels per stock item, for every catalog product.

From `pos.inventory`: every stock item event carries the levels after the change, so
applying one is a plain overwrite guarded by the stream version (idempotent, no
arithmetic on redelivery). From `pos.catalog`: a new product gets a zero-stock row (so it
shows up as low stock before its first delivery), and (de)activation is mirrored so
low-stock lists leave retired products out. One runner applies both topics in turn, so
the two sources never race on a document.
"""

from __future__ import annotations

from eventbus import Envelope, topic_for
from eventbus.projection import Projection
from eventbus.readmodel import is_applied, mark_applied
from subgraphs.inventory.domain import STOCK_ITEM_EVENTS, stock_item_id
from subgraphs.inventory.projections.catalog_products import (
    PRODUCT_ACTIVATED,
    PRODUCT_ADDED,
    PRODUCT_DEACTIVATED,
)
from subgraphs.inventory.projections.documents import StockLevel

STOCK_EVENTS = {cls.event_type for cls in STOCK_ITEM_EVENTS}
CATALOG_EVENTS = {PRODUCT_ADDED, PRODUCT_ACTIVATED, PRODUCT_DEACTIVATED}


def _document_id(envelope: Envelope) -> str | None:
    if envelope.type in STOCK_EVENTS:
        return envelope.subject
    if envelope.type in CATALOG_EVENTS:
        return stock_item_id(envelope.subject)
    return None


class StockLevels(Projection):
    name = "inventory.stock"
    topics = (topic_for("inventory"), topic_for("catalog"))

    async def has_applied(self, envelope: Envelope) -> bool:
        doc_id = _document_id(envelope)
        if doc_id is None:
            return True
        return is_applied(await StockLevel.get(doc_id), envelope)

    async def apply(self, envelope: Envelope) -> None:
        doc_id = _document_id(envelope)
        if doc_id is None:
            return
        doc = await StockLevel.get(doc_id)
        if is_applied(doc, envelope):
            return
        doc = evolve(doc, doc_id, envelope)
        mark_applied(doc, envelope)
        await doc.save()

    async def reset(self) -> None:
        await StockLevel.delete_all()


def evolve(doc: StockLevel | None, doc_id: str, envelope: Envelope) -> StockLevel:
    """The stock item's levels after `envelope` (pure, no I/O; changes `doc` in place)."""
    data = envelope.data
    if doc is None:
        product_id = data.get("product_id") or envelope.subject
        doc = StockLevel(id=doc_id, product_id=product_id, warehouse=data.get("warehouse", "MAIN"))
    if envelope.type in STOCK_EVENTS:
        doc.on_hand = int(data["on_hand"])
        doc.reserved = int(data["reserved"])
        doc.available = doc.on_hand - doc.reserved
        doc.needs_count = doc.on_hand < 0
    elif envelope.type == PRODUCT_ADDED:
        doc.active = bool(data.get("active", True))
    else:
        doc.active = envelope.type == PRODUCT_ACTIVATED
    return doc


def stock_fold(doc: StockLevel | None, envelope: Envelope) -> StockLevel | None:
    """`evolve` over a stock item's own stream, for time travel. Whether the product is
    active comes from the catalog's stream, not this one: as of an instant it reads as
    active (docs/history.md)."""
    if envelope.type not in STOCK_EVENTS:
        return None
    return evolve(doc, envelope.subject, envelope)

"""Projection `inventory.stores`: pos.stores events -> `KnownStore`.

Inventory's own list of the stores goods can be kept at, read from the stores context's
published event names and data keys (`store_id`, `code`, `name`), not its classes. Also
answers `LocationDirectory`.
"""

from __future__ import annotations

from eventbus import Envelope, topic_for
from eventbus.projection import Projection
from eventbus.readmodel import is_applied, mark_applied
from subgraphs.inventory.domain import MAIN
from subgraphs.inventory.projections.documents import KnownStore

STORE_OPENED = "pos.stores.StoreOpened.v1"
STORE_UPDATED = "pos.stores.StoreUpdated.v1"
STORE_CLOSED = "pos.stores.StoreClosed.v1"
HANDLED = {STORE_OPENED, STORE_UPDATED, STORE_CLOSED}


class KnownStoresProjection(Projection):
    name = "inventory.stores"
    topics = (topic_for("stores"),)

    async def has_applied(self, envelope: Envelope) -> bool:
        if envelope.type not in HANDLED:
            return True
        return is_applied(await KnownStore.get(envelope.subject), envelope)

    async def apply(self, envelope: Envelope) -> None:
        if envelope.type not in HANDLED:
            return
        doc = await KnownStore.get(envelope.subject)
        if is_applied(doc, envelope):
            return
        data = envelope.data
        if envelope.type == STORE_OPENED:
            doc = KnownStore(
                id=envelope.subject, code=str(data.get("code", "")), name=str(data.get("name", ""))
            )
        elif doc is None:
            raise LookupError(f"{envelope.type} for store {envelope.subject} before it opened")
        elif envelope.type == STORE_UPDATED:
            doc.name = str(data.get("name", doc.name))
        else:
            doc.active = False
        mark_applied(doc, envelope)
        await doc.save()

    async def reset(self) -> None:
        await KnownStore.delete_all()


class KnownStores:
    """`LocationDirectory` over the projection (MAIN is always there)."""

    async def exists(self, location_id: str) -> bool:
        return location_id == MAIN or await KnownStore.get(location_id) is not None

    async def is_open(self, location_id: str) -> bool:
        if location_id == MAIN:
            return True
        store = await KnownStore.get(location_id)
        return store is not None and store.active

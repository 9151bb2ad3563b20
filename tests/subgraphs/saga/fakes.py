"""Other contexts' events as the published contract has them, for tests of one context
without running the other (appended to the store, so they travel store -> outbox ->
relay -> bus like real ones)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from eventbus import Envelope, EventStore


async def emit(
    store: EventStore, source: str, name: str, data: dict[str, Any], *, stream: str | None = None
) -> Envelope:
    """Append one `pos.<source>.<name>.v1` event to `stream` (a new one by default)."""
    stream_id = stream or str(uuid4())
    version = await store.stream_version(stream_id)
    envelope = Envelope(
        type=f"pos.{source}.{name}.v1",
        source=source,
        subject=stream_id,
        data=data,
        stream_version=version + 1,
    )
    (stored,) = await store.append(stream_id, version, [envelope])
    return stored


async def product_added(
    store: EventStore,
    *,
    sku: str,
    name: str,
    price: str,
    currency: str = "EUR",
    active: bool = True,
) -> str:
    product_id = str(uuid4())
    await emit(
        store,
        "catalog",
        "ProductAdded",
        {
            "product_id": product_id,
            "sku": sku,
            "name": name,
            "category_id": str(uuid4()),
            "unit_price": price,
            "currency": currency,
            "active": active,
        },
        stream=product_id,
    )
    return product_id

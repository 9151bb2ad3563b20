"""Projection `inventory.catalog-products`: pos.catalog events -> `KnownProduct`.

Reads the catalog's published event names and fields, not its classes: inventory depends
on the contract on the bus, not on the catalog's code. Also answers `ProductDirectory`.
"""

from __future__ import annotations

from eventbus import Envelope, topic_for
from eventbus.projection import Projection
from eventbus.readmodel import is_applied, mark_applied
from subgraphs.inventory.projections.documents import KnownProduct

PRODUCT_ADDED = "pos.catalog.ProductAdded.v1"
PRODUCT_RENAMED = "pos.catalog.ProductRenamed.v1"
PRODUCT_PRICE_CHANGED = "pos.catalog.ProductPriceChanged.v1"
PRODUCT_DEACTIVATED = "pos.catalog.ProductDeactivated.v1"
PRODUCT_ACTIVATED = "pos.catalog.ProductActivated.v1"
HANDLED = {
    PRODUCT_ADDED,
    PRODUCT_RENAMED,
    PRODUCT_PRICE_CHANGED,
    PRODUCT_DEACTIVATED,
    PRODUCT_ACTIVATED,
}


class CatalogProducts(Projection):
    name = "inventory.catalog-products"
    topics = (topic_for("catalog"),)

    async def has_applied(self, envelope: Envelope) -> bool:
        if envelope.type not in HANDLED:
            return True
        return is_applied(await KnownProduct.get(envelope.subject), envelope)

    async def apply(self, envelope: Envelope) -> None:
        if envelope.type not in HANDLED:
            return
        doc = await KnownProduct.get(envelope.subject)
        if is_applied(doc, envelope):
            return
        data = envelope.data
        if envelope.type == PRODUCT_ADDED:
            doc = KnownProduct(
                id=envelope.subject,
                sku=data["sku"],
                name=data["name"],
                unit_price=data["unit_price"],
                currency=data["currency"],
                active=bool(data.get("active", True)),
            )
        elif doc is None:
            raise LookupError(f"{envelope.type} for product {envelope.subject} before it was added")
        elif envelope.type == PRODUCT_RENAMED:
            doc.name = data["name"]
        elif envelope.type == PRODUCT_PRICE_CHANGED:
            doc.unit_price = data["unit_price"]
            doc.currency = data["currency"]
        else:
            doc.active = envelope.type == PRODUCT_ACTIVATED
        mark_applied(doc, envelope)
        await doc.save()

    async def reset(self) -> None:
        await KnownProduct.delete_all()


class KnownProducts:
    """`ProductDirectory` over the projection: a product exists once its ProductAdded
    has been applied here."""

    async def exists(self, product_id: str) -> bool:
        return await KnownProduct.get(product_id) is not None

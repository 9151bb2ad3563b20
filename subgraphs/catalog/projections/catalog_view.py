"""Projection `catalog.view`: pos.catalog events -> `CategoryView` and `ProductView`.

Idempotent: each document records the last version applied per stream and ignores
anything at or below it. Events it does not model (name claims and releases) count as applied.
"""

from __future__ import annotations

from beanie import Document

from eventbus import Envelope, topic_for
from eventbus.projection import Projection
from eventbus.readmodel import is_applied, mark_applied
from eventbus.repository import to_domain
from subgraphs.catalog.domain import (
    CategoryCreated,
    ProductActivated,
    ProductAdded,
    ProductBarcodeSet,
    ProductDeactivated,
    ProductPriceChanged,
    ProductRenamed,
    ProductTaxClassSet,
    gtin13,
)
from subgraphs.catalog.projections.documents import CategoryView, ProductView

_PRODUCT_EVENTS = {
    cls.event_type
    for cls in (
        ProductAdded,
        ProductRenamed,
        ProductPriceChanged,
        ProductDeactivated,
        ProductActivated,
        ProductBarcodeSet,
        ProductTaxClassSet,
    )
}


class CatalogView(Projection):
    name = "catalog.view"
    topics = (topic_for("catalog"),)

    async def _current(self, envelope: Envelope) -> Document | None:
        if envelope.type in _PRODUCT_EVENTS:
            return await ProductView.get(envelope.subject)
        if envelope.type == CategoryCreated.event_type:
            return await CategoryView.get(envelope.subject)
        return None

    async def has_applied(self, envelope: Envelope) -> bool:
        if envelope.type not in _PRODUCT_EVENTS and envelope.type != CategoryCreated.event_type:
            return True
        doc = await self._current(envelope)
        return is_applied(doc, envelope)

    async def apply(self, envelope: Envelope) -> None:
        doc = await self._current(envelope)
        if is_applied(doc, envelope):
            return
        event = to_domain(envelope)
        match event:
            case CategoryCreated():
                doc = CategoryView(id=envelope.subject, name=event.name)
            case ProductAdded():
                doc = ProductView(
                    id=envelope.subject,
                    sku=event.sku,
                    name=event.name,
                    category_id=event.category_id,
                    unit_price=event.unit_price,
                    currency=event.currency,
                    active=event.active,
                    barcode=event.barcode,
                    gtin13=gtin13(event.barcode) if event.barcode else None,
                    tax_class=event.tax_class,
                )
            case ProductBarcodeSet() if isinstance(doc, ProductView):
                doc.barcode = event.barcode
                doc.gtin13 = gtin13(event.barcode) if event.barcode else None
            case ProductTaxClassSet() if isinstance(doc, ProductView):
                doc.tax_class = event.tax_class
            case ProductRenamed() if isinstance(doc, ProductView):
                doc.name = event.name
            case ProductPriceChanged() if isinstance(doc, ProductView):
                doc.unit_price = event.unit_price
                doc.currency = event.currency
            case ProductDeactivated() if isinstance(doc, ProductView):
                doc.active = False
            case ProductActivated() if isinstance(doc, ProductView):
                doc.active = True
            case _:
                return
        mark_applied(doc, envelope)
        await doc.save()

    async def reset(self) -> None:
        await ProductView.delete_all()
        await CategoryView.delete_all()

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
        changed = evolve(doc, envelope)
        if changed is None:
            return
        mark_applied(changed, envelope)
        await changed.save()

    async def reset(self) -> None:
        await ProductView.delete_all()
        await CategoryView.delete_all()


def evolve(doc: Document | None, envelope: Envelope) -> CategoryView | ProductView | None:
    """The view after `envelope` (pure, no I/O; changes `doc` in place); None when the
    event changes nothing. `apply` and time travel (`asOf`, `history`) both fold with it."""
    event = to_domain(envelope)
    match event:
        case CategoryCreated():
            return CategoryView(id=envelope.subject, name=event.name)
        case ProductAdded():
            return ProductView(
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
    if not isinstance(doc, ProductView):
        return None
    match event:
        case ProductBarcodeSet():
            doc.barcode = event.barcode
            doc.gtin13 = gtin13(event.barcode) if event.barcode else None
        case ProductTaxClassSet():
            doc.tax_class = event.tax_class
        case ProductRenamed():
            doc.name = event.name
        case ProductPriceChanged():
            doc.unit_price = event.unit_price
            doc.currency = event.currency
        case ProductDeactivated():
            doc.active = False
        case ProductActivated():
            doc.active = True
        case _:
            return None
    return doc


def product_fold(doc: ProductView | None, envelope: Envelope) -> ProductView | None:
    """`evolve` for a product's stream only (another stream folds to nothing)."""
    changed = evolve(doc, envelope)
    return changed if isinstance(changed, ProductView) else None


def category_fold(doc: CategoryView | None, envelope: Envelope) -> CategoryView | None:
    """`evolve` for a category's stream only."""
    changed = evolve(doc, envelope)
    return changed if isinstance(changed, CategoryView) else None

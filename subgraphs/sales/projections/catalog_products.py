"""Projection `sales.catalog-products`: pos.catalog events -> `SaleProduct`.

Reads the catalog's published event names and data keys (its contract on the bus), not
its classes. `barcode` and `tax_class` came to `ProductAdded` later: read with `.get`
(no barcode; STANDARD). Barcodes are kept as entered and looked up in GTIN-13 form.
"""

from __future__ import annotations

from eventbus import Envelope, topic_for
from eventbus.projection import Projection
from eventbus.readmodel import is_applied, mark_applied
from subgraphs.sales.projections.documents import SaleProduct

PREFIX = "pos.catalog."
ADDED = "pos.catalog.ProductAdded.v1"
HANDLED = {
    ADDED,
    "pos.catalog.ProductRenamed.v1",
    "pos.catalog.ProductPriceChanged.v1",
    "pos.catalog.ProductDeactivated.v1",
    "pos.catalog.ProductActivated.v1",
    "pos.catalog.ProductBarcodeSet.v1",
    "pos.catalog.ProductTaxClassSet.v1",
}


def _gtin13(barcode: object) -> str | None:
    return str(barcode).zfill(13) if barcode else None


class CatalogProducts(Projection):
    name = "sales.catalog-products"
    topics = (topic_for("catalog"),)

    async def has_applied(self, envelope: Envelope) -> bool:
        if envelope.type not in HANDLED:
            return True
        return is_applied(await SaleProduct.get(envelope.subject), envelope)

    async def apply(self, envelope: Envelope) -> None:
        if envelope.type not in HANDLED:
            return
        doc = await SaleProduct.get(envelope.subject)
        if is_applied(doc, envelope):
            return
        data = envelope.data
        name = envelope.type.removeprefix(PREFIX).removesuffix(".v1")
        if envelope.type == ADDED:
            doc = SaleProduct(
                id=envelope.subject,
                sku=data["sku"],
                name=data["name"],
                name_lower=str(data["name"]).lower(),
                unit_price=data["unit_price"],
                currency=data["currency"],
                active=bool(data.get("active", True)),
                tax_class=data.get("tax_class") or "STANDARD",
                barcode=data.get("barcode"),
                gtin13=_gtin13(data.get("barcode")),
            )
        elif doc is None:
            raise LookupError(f"{envelope.type} for product {envelope.subject} before it was added")
        elif name == "ProductRenamed":
            doc.name, doc.name_lower = data["name"], str(data["name"]).lower()
        elif name == "ProductPriceChanged":
            doc.unit_price, doc.currency = data["unit_price"], data["currency"]
        elif name == "ProductBarcodeSet":
            doc.barcode, doc.gtin13 = data.get("barcode"), _gtin13(data.get("barcode"))
        elif name == "ProductTaxClassSet":
            doc.tax_class = data.get("tax_class") or "STANDARD"
        else:
            doc.active = name == "ProductActivated"
        mark_applied(doc, envelope)
        await doc.save()

    async def reset(self) -> None:
        await SaleProduct.delete_all()

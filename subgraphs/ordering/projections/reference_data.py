"""Projections `ordering.products` and `ordering.customers`: ordering's own copies of the
catalog's prices and the customers it may sell to.

They read other contexts' events by their published type names and data (no import of
those contexts' code), so ordering runs on its own and only depends on the contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from eventbus import Envelope, topic_for
from eventbus.document_projection import DocumentProjection
from subgraphs.ordering.application.ports import KnownCustomerRef
from subgraphs.ordering.domain import PricedProduct, ShippingAddress
from subgraphs.ordering.projections.documents import AddressDoc, KnownCustomer, KnownProduct


class ProductPrices(DocumentProjection[KnownProduct]):
    name = "ordering.products"
    topics = (topic_for("catalog"),)
    document = KnownProduct

    def change(
        self, doc: KnownProduct | None, name: str, envelope: Envelope
    ) -> KnownProduct | None:
        data = envelope.data
        if name == "pos.catalog.ProductAdded":
            return KnownProduct(
                id=envelope.subject,
                sku=data["sku"],
                name=data["name"],
                unit_price=data["unit_price"],
                currency=data["currency"],
                active=data.get("active", True),
            )
        if doc is None:
            return None
        if name == "pos.catalog.ProductRenamed":
            doc.name = data["name"]
        elif name == "pos.catalog.ProductPriceChanged":
            doc.unit_price, doc.currency = data["unit_price"], data["currency"]
        elif name == "pos.catalog.ProductDeactivated":
            doc.active = False
        elif name == "pos.catalog.ProductActivated":
            doc.active = True
        else:
            return None
        return doc


class CustomerDirectoryProjection(DocumentProjection[KnownCustomer]):
    name = "ordering.customers"
    topics = (topic_for("customers"),)
    document = KnownCustomer

    def change(
        self, doc: KnownCustomer | None, name: str, envelope: Envelope
    ) -> KnownCustomer | None:
        data = envelope.data
        if name == "pos.customers.CustomerRegistered":
            return KnownCustomer(
                id=envelope.subject, name=data["name"], address=AddressDoc(**data["address"])
            )
        if doc is None:
            return None
        if name == "pos.customers.CustomerContactUpdated":
            doc.name = data["name"]
        elif name == "pos.customers.CustomerAddressChanged":
            doc.address = AddressDoc(**data["address"])
        else:
            return None
        return doc


class MongoPriceList:
    """`PriceList` over the `ordering.products` projection."""

    async def products(self, product_ids: Sequence[str]) -> dict[str, PricedProduct]:
        docs = await KnownProduct.find({"_id": {"$in": list(product_ids)}}).to_list()
        return {
            doc.id: PricedProduct(
                product_id=doc.id,
                sku=doc.sku,
                name=doc.name,
                unit_price=Decimal(doc.unit_price),
                currency=doc.currency,
                active=doc.active,
            )
            for doc in docs
        }


class MongoCustomerDirectory:
    """`CustomerDirectory` over the `ordering.customers` projection."""

    async def customer(self, customer_id: str) -> KnownCustomerRef | None:
        doc = await KnownCustomer.get(customer_id)
        if doc is None:
            return None
        address = None
        if doc.address is not None:
            a = doc.address
            address = ShippingAddress(
                line1=a.line1,
                line2=a.line2,
                city=a.city,
                postal_code=a.postal_code,
                country=a.country,
            )
        return KnownCustomerRef(customer_id=doc.id, name=doc.name, address=address)

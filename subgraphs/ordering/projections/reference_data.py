"""Projections `ordering.products` and `ordering.customers`: ordering's own copies of the
catalog's prices and the customers it may sell to.

They read other contexts' events by their published type names and data (no import of
those contexts' code), so ordering runs on its own and only depends on the contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from eventbus import Envelope, topic_for
from eventbus.events import split_type
from eventbus.projection import Projection
from eventbus.readmodel import is_applied, mark_applied
from subgraphs.ordering.application.ports import KnownCustomerRef
from subgraphs.ordering.domain import PricedProduct, ShippingAddress
from subgraphs.ordering.projections.documents import AddressDoc, KnownCustomer, KnownProduct


class ProductPrices(Projection):
    name = "ordering.products"
    topics = (topic_for("catalog"),)

    async def has_applied(self, envelope: Envelope) -> bool:
        return is_applied(await KnownProduct.get(envelope.subject), envelope)

    async def reset(self) -> None:
        await KnownProduct.delete_all()

    async def apply(self, envelope: Envelope) -> None:
        name, data = split_type(envelope.type)[0], envelope.data
        doc = await KnownProduct.get(envelope.subject)
        if is_applied(doc, envelope):
            return
        if name == "pos.catalog.ProductAdded":
            doc = KnownProduct(
                id=envelope.subject,
                sku=data["sku"],
                name=data["name"],
                unit_price=data["unit_price"],
                currency=data["currency"],
                active=data.get("active", True),
            )
        elif doc is None:
            return
        elif name == "pos.catalog.ProductRenamed":
            doc.name = data["name"]
        elif name == "pos.catalog.ProductPriceChanged":
            doc.unit_price, doc.currency = data["unit_price"], data["currency"]
        elif name == "pos.catalog.ProductDeactivated":
            doc.active = False
        elif name == "pos.catalog.ProductActivated":
            doc.active = True
        else:
            return
        mark_applied(doc, envelope)
        await doc.save()


class CustomerDirectoryProjection(Projection):
    name = "ordering.customers"
    topics = (topic_for("customers"),)

    async def has_applied(self, envelope: Envelope) -> bool:
        return is_applied(await KnownCustomer.get(envelope.subject), envelope)

    async def reset(self) -> None:
        await KnownCustomer.delete_all()

    async def apply(self, envelope: Envelope) -> None:
        name, data = split_type(envelope.type)[0], envelope.data
        doc = await KnownCustomer.get(envelope.subject)
        if is_applied(doc, envelope):
            return
        if name == "pos.customers.CustomerRegistered":
            doc = KnownCustomer(
                id=envelope.subject, name=data["name"], address=AddressDoc(**data["address"])
            )
        elif doc is None:
            return
        elif name == "pos.customers.CustomerContactUpdated":
            doc.name = data["name"]
        elif name == "pos.customers.CustomerAddressChanged":
            doc.address = AddressDoc(**data["address"])
        else:
            return
        mark_applied(doc, envelope)
        await doc.save()


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

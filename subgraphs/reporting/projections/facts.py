"""The reporting projections: one per topic, each an idempotent upsert of facts.

They read other contexts' events by published type name and data only (no imports of
those contexts), like any downstream consumer would.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventbus import Envelope, topic_for
from eventbus.events import split_type
from eventbus.projection import Projection
from eventbus.readmodel import is_applied, mark_applied
from subgraphs.reporting.projections.documents import (
    CustomerFact,
    OrderFact,
    ProductFact,
    SoldLine,
    StockFact,
)

STOCK_LEVEL_EVENTS = frozenset(
    f"pos.inventory.{name}"
    for name in (
        "StockReceived",
        "StockAdjusted",
        "StockItemReserved",
        "StockItemReleased",
        "StockItemCommitted",
    )
)


def _name(envelope: Envelope) -> str:
    return split_type(envelope.type)[0]


class ProductFacts(Projection):
    name = "reporting.products"
    topics = (topic_for("catalog"),)

    async def has_applied(self, envelope: Envelope) -> bool:
        return is_applied(await ProductFact.get(envelope.subject), envelope)

    async def reset(self) -> None:
        await ProductFact.delete_all()

    async def apply(self, envelope: Envelope) -> None:
        name, data = _name(envelope), envelope.data
        doc = await ProductFact.get(envelope.subject)
        if is_applied(doc, envelope):
            return
        if name == "pos.catalog.ProductAdded":
            doc = ProductFact(
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
        elif name in ("pos.catalog.ProductDeactivated", "pos.catalog.ProductActivated"):
            doc.active = name == "pos.catalog.ProductActivated"
        else:
            return
        mark_applied(doc, envelope)
        await doc.save()


class CustomerFacts(Projection):
    name = "reporting.customers"
    topics = (topic_for("customers"),)

    async def has_applied(self, envelope: Envelope) -> bool:
        return is_applied(await CustomerFact.get(envelope.subject), envelope)

    async def reset(self) -> None:
        await CustomerFact.delete_all()

    async def apply(self, envelope: Envelope) -> None:
        name, data = _name(envelope), envelope.data
        doc = await CustomerFact.get(envelope.subject)
        if is_applied(doc, envelope):
            return
        if name == "pos.customers.CustomerRegistered":
            doc = CustomerFact(id=envelope.subject, name=data["name"], registered_at=envelope.time)
        elif doc is None:
            return
        elif name == "pos.customers.CustomerContactUpdated":
            doc.name = data["name"]
        else:
            return
        mark_applied(doc, envelope)
        await doc.save()


class StockFacts(Projection):
    """Stock item events carry the levels after the change: apply is an overwrite."""

    name = "reporting.stock"
    topics = (topic_for("inventory"),)

    async def has_applied(self, envelope: Envelope) -> bool:
        if _name(envelope) not in STOCK_LEVEL_EVENTS:
            return True
        return is_applied(await StockFact.get(envelope.subject), envelope)

    async def reset(self) -> None:
        await StockFact.delete_all()

    async def apply(self, envelope: Envelope) -> None:
        if _name(envelope) not in STOCK_LEVEL_EVENTS:
            return
        data = envelope.data
        doc = await StockFact.get(envelope.subject)
        if is_applied(doc, envelope):
            return
        if doc is None:
            doc = StockFact(
                id=envelope.subject, product_id=data["product_id"], warehouse=data["warehouse"]
            )
        doc.on_hand, doc.reserved = int(data["on_hand"]), int(data["reserved"])
        mark_applied(doc, envelope)
        await doc.save()


class OrderFacts(Projection):
    name = "reporting.orders"
    topics = (topic_for("ordering"),)

    async def has_applied(self, envelope: Envelope) -> bool:
        if _name(envelope) == "pos.ordering.OrderNumberAllocated":
            return True
        return is_applied(await OrderFact.get(envelope.subject), envelope)

    async def reset(self) -> None:
        await OrderFact.delete_all()

    async def apply(self, envelope: Envelope) -> None:
        name, data = _name(envelope), envelope.data
        doc = await OrderFact.get(envelope.subject)
        if is_applied(doc, envelope):
            return
        if name == "pos.ordering.OrderPlaced":
            doc = OrderFact(
                id=envelope.subject,
                customer_id=data["customer_id"],
                status="PENDING",
                currency=data["currency"],
                total=data["total"],
                lines=[_line(line) for line in data["lines"]],
                placed_at=datetime.fromisoformat(data["placed_at"]),
            )
        elif doc is None:
            return
        elif name == "pos.ordering.OrderConfirmed":
            doc.status = "CONFIRMED"
        elif name == "pos.ordering.OrderRejected":
            doc.status = "REJECTED"
        elif name == "pos.ordering.OrderPaid":
            doc.status, doc.counts = "PAID", True
            doc.paid_at = datetime.fromisoformat(data["paid_at"])
        elif name == "pos.ordering.OrderShipped":
            doc.status = "SHIPPED"
        elif name == "pos.ordering.OrderCancelled":
            doc.status, doc.counts = "CANCELLED", False
        else:
            return
        mark_applied(doc, envelope)
        await doc.save()


def _line(raw: dict[str, Any]) -> SoldLine:
    return SoldLine(
        product_id=raw["product_id"],
        sku=raw["sku"],
        name=raw["name"],
        quantity=int(raw["quantity"]),
        line_total=raw["line_total"],
    )

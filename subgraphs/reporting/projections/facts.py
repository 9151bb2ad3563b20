"""The reporting projections: one per topic, each an idempotent upsert of facts.

They read other contexts' events by published type name and data only (no imports of
those contexts), like any downstream consumer would.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventbus import Envelope, topic_for
from eventbus.document_projection import DocumentProjection
from eventbus.events import split_type
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
        "StockSold",
        "StockReturned",
        "StockTransferredOut",
        "StockTransferredIn",
        "StockCounted",
    )
)
"""Stock item events (one stream per product x location: MAIN or a store id), each with
the levels after the change."""


def _name(envelope: Envelope) -> str:
    return split_type(envelope.type)[0]


class ProductFacts(DocumentProjection[ProductFact]):
    name = "reporting.products"
    topics = (topic_for("catalog"),)
    document = ProductFact

    def change(self, doc: ProductFact | None, name: str, envelope: Envelope) -> ProductFact | None:
        data = envelope.data
        if name == "pos.catalog.ProductAdded":
            return ProductFact(
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
        elif name in ("pos.catalog.ProductDeactivated", "pos.catalog.ProductActivated"):
            doc.active = name == "pos.catalog.ProductActivated"
        else:
            return None
        return doc


class CustomerFacts(DocumentProjection[CustomerFact]):
    name = "reporting.customers"
    topics = (topic_for("customers"),)
    document = CustomerFact

    def change(
        self, doc: CustomerFact | None, name: str, envelope: Envelope
    ) -> CustomerFact | None:
        data = envelope.data
        if name == "pos.customers.CustomerRegistered":
            return CustomerFact(id=envelope.subject, name=data["name"], registered_at=envelope.time)
        if doc is None:
            return None
        if name == "pos.customers.CustomerContactUpdated":
            doc.name = data["name"]
        else:
            return None
        return doc


class StockFacts(DocumentProjection[StockFact]):
    """Stock item events carry the levels after the change: apply is an overwrite."""

    name = "reporting.stock"
    topics = (topic_for("inventory"),)
    document = StockFact

    async def has_applied(self, envelope: Envelope) -> bool:
        if _name(envelope) not in STOCK_LEVEL_EVENTS:
            return True
        return await super().has_applied(envelope)

    async def apply(self, envelope: Envelope) -> None:
        if _name(envelope) in STOCK_LEVEL_EVENTS:
            await super().apply(envelope)

    def change(self, doc: StockFact | None, name: str, envelope: Envelope) -> StockFact | None:
        data = envelope.data
        if doc is None:
            doc = StockFact(
                id=envelope.subject, product_id=data["product_id"], warehouse=data["warehouse"]
            )
        doc.on_hand, doc.reserved = int(data["on_hand"]), int(data["reserved"])
        return doc


class OrderFacts(DocumentProjection[OrderFact]):
    name = "reporting.orders"
    topics = (topic_for("ordering"),)
    document = OrderFact

    async def has_applied(self, envelope: Envelope) -> bool:
        if _name(envelope) == "pos.ordering.OrderNumberAllocated":
            return True
        return await super().has_applied(envelope)

    def change(self, doc: OrderFact | None, name: str, envelope: Envelope) -> OrderFact | None:
        data = envelope.data
        if name == "pos.ordering.OrderPlaced":
            return OrderFact(
                id=envelope.subject,
                customer_id=data["customer_id"],
                status="PENDING",
                currency=data["currency"],
                total=data["total"],
                lines=[_line(line) for line in data["lines"]],
                placed_at=datetime.fromisoformat(data["placed_at"]),
            )
        if doc is None:
            return None
        if name == "pos.ordering.OrderConfirmed":
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
            return None
        return doc


def _line(raw: dict[str, Any]) -> SoldLine:
    return SoldLine(
        product_id=raw["product_id"],
        sku=raw["sku"],
        name=raw["name"],
        quantity=int(raw["quantity"]),
        line_total=raw["line_total"],
    )

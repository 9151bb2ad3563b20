"""Inventory's live subscription: declared here, served by the gateway from pos.inventory.

The `@eventSource` directive tells the gateway which events feed the field; the gateway
consumes the topic itself and resolves the client's selection through its planner. This
subgraph serves no subscriptions: its resolver says so, in case a client reaches it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from graphql import GraphQLError
from strawberry import federation
from strawberry.schema_directive import Location

from subgraphs.inventory.domain import STOCK_ITEM_EVENTS
from subgraphs.inventory.graphql.types import StockItem

EVENT_SOURCE_URL = "https://pos.example/event-source/v0.1"


@federation.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="eventSource",
    compose=True,
    import_url=EVENT_SOURCE_URL,
)
class EventSource:
    """Which events feed a subscription field (read by the gateway; see
    supergraph/subscriptions/spec.py for the argument syntax)."""

    topic: str
    events: list[str]
    key: list[str]
    filter: list[str] = strawberry.field(default_factory=list)
    version: str


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="A stock item's levels after every change (delivery, adjustment, "
        "reservation, release, shipment), optionally of one product only.",
        directives=[
            EventSource(
                topic="pos.inventory",
                events=sorted(cls.event_type for cls in STOCK_ITEM_EVENTS),
                key=["productId=data.product_id", "warehouse=data.warehouse"],
                filter=["productId=data.product_id"],
                version="version",
            )
        ],
    )
    async def stock_level_changed(
        self, product_id: strawberry.ID | None = None
    ) -> AsyncGenerator[StockItem, None]:
        raise GraphQLError(
            "inventory subscriptions are served by the gateway (it consumes pos.inventory): "
            "subscribe at the gateway's /graphql over graphql-transport-ws or SSE",
            extensions={"code": "SUBSCRIPTION_SERVED_BY_GATEWAY"},
        )
        yield  # pragma: no cover - makes this an async generator

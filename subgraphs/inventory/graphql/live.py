"""Inventory's live subscription: declared here, served by the gateway from pos.inventory.

The `@eventSource` directive tells the gateway which events feed the field; the gateway
consumes the topic itself and resolves the client's selection through its planner. This
subgraph serves no subscriptions: its resolver says so, in case a client reaches it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.federation.schema_directives import RequiresScopes

from subgraphs.hosting.event_source import EventSource, served_by_gateway
from subgraphs.inventory.domain import STOCK_ITEM_EVENTS
from subgraphs.inventory.graphql.types import StockItem


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
            ),
            RequiresScopes(scopes=[["stock:read"]]),
        ],
    )
    async def stock_level_changed(
        self, product_id: strawberry.ID | None = None
    ) -> AsyncGenerator[StockItem, None]:
        raise served_by_gateway("inventory")
        yield  # pragma: no cover - makes this an async generator

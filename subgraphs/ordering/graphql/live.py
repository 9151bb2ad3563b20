"""Ordering's live subscriptions: declared here, served by the gateway from pos.ordering.

The `@eventSource` directive tells the gateway which events feed each field; the gateway
consumes the topic itself and resolves the client's selection through its planner. This
subgraph serves no subscriptions: its resolvers say so, in case a client reaches it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.federation.schema_directives import RequiresScopes

from subgraphs.hosting.event_source import EventSource, served_by_gateway
from subgraphs.ordering.domain import (
    OrderCancelled,
    OrderConfirmed,
    OrderPaid,
    OrderPlaced,
    OrderRejected,
    OrderShipped,
)
from subgraphs.ordering.graphql.types import Order, OrderStatus

ORDER_EVENTS = [
    cls.event_type
    for cls in (
        OrderPlaced,
        OrderConfirmed,
        OrderRejected,
        OrderPaid,
        OrderShipped,
        OrderCancelled,
    )
]


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Every change of one order's status, from PENDING on; select any "
        "fields, including those other subgraphs own.",
        directives=[
            RequiresScopes(scopes=[["orders:read"]]),
            EventSource(
                topic="pos.ordering",
                events=ORDER_EVENTS,
                key=["id=subject"],
                filter=["orderId=subject"],
                version="version",
            ),
        ],
    )
    async def order_status_changed(self, order_id: strawberry.ID) -> AsyncGenerator[Order, None]:
        raise served_by_gateway("ordering")
        yield  # pragma: no cover - makes this an async generator

    @strawberry.subscription(
        description="Orders as they change, optionally only one customer's or only "
        "those entering the given statuses.",
        directives=[
            RequiresScopes(scopes=[["orders:read"]]),
            EventSource(
                topic="pos.ordering",
                events=ORDER_EVENTS,
                key=["id=subject"],
                filter=["customerId=data.customer_id", "status=data.status"],
                version="version",
            ),
        ],
    )
    async def order_updates(
        self,
        customer_id: strawberry.ID | None = None,
        status: list[OrderStatus] | None = None,
    ) -> AsyncGenerator[Order, None]:
        raise served_by_gateway("ordering")
        yield  # pragma: no cover - makes this an async generator

"""Ordering's live subscriptions: declared here, served by the gateway from pos.ordering.

The `@eventSource` directive tells the gateway which events feed each field; the gateway
consumes the topic itself and resolves the client's selection through its planner. This
subgraph serves no subscriptions: its resolvers say so, in case a client reaches it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from graphql import GraphQLError
from strawberry import federation
from strawberry.schema_directive import Location

from subgraphs.ordering.domain import (
    OrderCancelled,
    OrderConfirmed,
    OrderPaid,
    OrderPlaced,
    OrderRejected,
    OrderShipped,
)
from subgraphs.ordering.graphql.types import Order, OrderStatus

EVENT_SOURCE_URL = "https://pos.example/event-source/v0.1"
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


def _gateway_only() -> GraphQLError:
    return GraphQLError(
        "ordering subscriptions are served by the gateway (it consumes pos.ordering): "
        "subscribe at the gateway's /graphql over graphql-transport-ws or SSE",
        extensions={"code": "SUBSCRIPTION_SERVED_BY_GATEWAY"},
    )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Every change of one order's status, from PENDING on; select any "
        "fields, including those other subgraphs own.",
        directives=[
            EventSource(
                topic="pos.ordering",
                events=ORDER_EVENTS,
                key=["id=subject"],
                filter=["orderId=subject"],
                version="version",
            )
        ],
    )
    async def order_status_changed(self, order_id: strawberry.ID) -> AsyncGenerator[Order, None]:
        raise _gateway_only()
        yield  # pragma: no cover - makes this an async generator

    @strawberry.subscription(
        description="Orders as they change, optionally only one customer's or only "
        "those entering the given statuses.",
        directives=[
            EventSource(
                topic="pos.ordering",
                events=ORDER_EVENTS,
                key=["id=subject"],
                filter=["customerId=data.customer_id", "status=data.status"],
                version="version",
            )
        ],
    )
    async def order_updates(
        self,
        customer_id: strawberry.ID | None = None,
        status: list[OrderStatus] | None = None,
    ) -> AsyncGenerator[Order, None]:
        raise _gateway_only()
        yield  # pragma: no cover - makes this an async generator

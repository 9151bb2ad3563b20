"""Sales' live subscription: declared here, served by the gateway from pos.sales.

The `@eventSource` directive tells the gateway which events feed each field; the gateway
consumes the topic itself and resolves the client's selection through its planner (the
`Sale` entity by the event's subject, once the read model's `version` has caught up).
This subgraph serves no subscriptions: its resolvers say so, in case a client reaches it.
A manager's dashboard follows the day's takings with it instead of polling.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.federation.schema_directives import RequiresScopes

from subgraphs.hosting.event_source import EventSource, served_by_gateway
from subgraphs.sales.domain.events import SaleCompleted
from subgraphs.sales.graphql.caller import READ
from subgraphs.sales.graphql.sale_types import Sale


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Every sale completed at a till, optionally at one store only: the "
        "sale as completed (select any fields, including those other subgraphs own).",
        directives=[
            RequiresScopes(scopes=[[READ]]),
            EventSource(
                topic="pos.sales",
                events=[SaleCompleted.event_type],
                key=["id=subject"],
                filter=["storeId=data.store_id"],
                version="version",
            ),
        ],
    )
    async def sale_completed(
        self, store_id: strawberry.ID | None = None
    ) -> AsyncGenerator[Sale, None]:
        raise served_by_gateway("sales")
        yield  # pragma: no cover - makes this an async generator

"""The `@eventSource` directive as subgraphs declare it, and the error their own
subscription resolvers raise: the gateway serves these fields from the event topics.

The argument syntax is the gateway's (supergraph/subscriptions/spec.py); the URL below is
the spec both sides link.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry import federation
from strawberry.schema_directive import Location

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


def served_by_gateway(context: str) -> GraphQLError:
    """For a client that reaches the subgraph's own subscription endpoint."""
    return GraphQLError(
        f"{context} subscriptions are served by the gateway (it consumes pos.{context}): "
        "subscribe at the gateway's /graphql over graphql-transport-ws or SSE",
        extensions={"code": "SUBSCRIPTION_SERVED_BY_GATEWAY"},
    )

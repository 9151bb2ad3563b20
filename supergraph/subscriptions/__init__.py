"""Live subscriptions at the gateway: event-driven fields fed by the bus, others forwarded."""

from .events import (
    EventFeed,
    FeedStopped,
    FeedSubscription,
    FeedUnavailable,
    SubscriberOverflow,
    SubscriptionClosed,
)
from .forward import SubgraphForwarder, websocket_url
from .freshness import Freshness
from .live import SupergraphSubscriptions
from .mount import live_subscriptions, subscription_routes
from .multipart import (
    MULTIPART_SUBSCRIPTION,
    GraphQLMultipart,
    is_subscription,
    wants_multipart_subscription,
)
from .resolver import SubscriptionResolver
from .routing import subscription_owners
from .source import ExecutionResult, OperationErrors, OperationRequest, SubscriptionSource
from .sources import EventSourceError, InvalidEventSources, event_sources, validate_event_sources
from .spec import DIRECTIVE_SDL, SPEC_URL, EventSource
from .sse import GraphQLSSE, wants_event_stream
from .ws import PROTOCOL, CloseCode, GraphQLTransportWS

__all__ = [
    "DIRECTIVE_SDL",
    "MULTIPART_SUBSCRIPTION",
    "PROTOCOL",
    "SPEC_URL",
    "CloseCode",
    "EventFeed",
    "EventSource",
    "EventSourceError",
    "ExecutionResult",
    "FeedStopped",
    "FeedSubscription",
    "FeedUnavailable",
    "Freshness",
    "GraphQLMultipart",
    "GraphQLSSE",
    "GraphQLTransportWS",
    "InvalidEventSources",
    "OperationErrors",
    "OperationRequest",
    "SubgraphForwarder",
    "SubscriberOverflow",
    "SubscriptionClosed",
    "SubscriptionResolver",
    "SubscriptionSource",
    "SupergraphSubscriptions",
    "event_sources",
    "is_subscription",
    "live_subscriptions",
    "subscription_owners",
    "subscription_routes",
    "validate_event_sources",
    "wants_event_stream",
    "wants_multipart_subscription",
    "websocket_url",
]

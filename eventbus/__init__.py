"""Events: envelope, SQL event store, outbox and relay, transports, projection runner."""

from eventbus.actor import acting_as, current_actor
from eventbus.aggregate import Aggregate, Conflict, DomainError, NotFound
from eventbus.envelope import Envelope, dead_letter_topic, topic_for
from eventbus.events import DomainEvent, EventRegistry, UnknownEvent, event, registry
from eventbus.ports import (
    ConcurrencyError,
    Consumer,
    EventStore,
    Message,
    Outbox,
    OutboxRecord,
    Snapshot,
    Transport,
    UnitOfWork,
)

__all__ = [
    "Aggregate",
    "ConcurrencyError",
    "Conflict",
    "Consumer",
    "DomainError",
    "DomainEvent",
    "Envelope",
    "EventRegistry",
    "EventStore",
    "Message",
    "NotFound",
    "Outbox",
    "OutboxRecord",
    "Snapshot",
    "Transport",
    "UnitOfWork",
    "UnknownEvent",
    "acting_as",
    "current_actor",
    "dead_letter_topic",
    "event",
    "registry",
    "topic_for",
]

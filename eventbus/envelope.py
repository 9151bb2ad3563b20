"""The event envelope: CloudEvents attribute names plus event-sourcing metadata.

One envelope shape travels everywhere (store, outbox, Kafka, projections), so a consumer
never needs to know which transport delivered it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import orjson

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Envelope:
    """A stored or travelling event.

    `type` is the stable, versioned type name (``pos.ordering.OrderPlaced.v1``),
    `source` the bounded context, `subject` the aggregate id (also the stream id and
    the Kafka key). `position` is the global store position, set once stored.
    """

    type: str
    source: str
    subject: str
    data: dict[str, Any]
    stream_version: int
    id: str = field(default_factory=lambda: str(uuid4()))
    time: datetime = field(default_factory=_now)
    position: int | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    actor: dict[str, Any] | None = None
    """Who caused the event (`eventbus.actor`): ``{"staffId": ...}`` or ``{"system": ...}``."""
    traceparent: str | None = None
    """W3C trace context of the span that wrote (or relayed) the event (`eventbus.tracing`),
    so a consumer in another process continues the trace; None when nothing was traced."""

    @property
    def topic(self) -> str:
        """One topic per context: ``pos.<source>``."""
        return topic_for(self.source)

    def with_position(self, position: int) -> Envelope:
        return replace(self, position=position)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "type": self.type,
            "source": self.source,
            "subject": self.subject,
            "time": self.time.isoformat(),
            "datacontenttype": CONTENT_TYPE,
            "data": self.data,
            "streamversion": self.stream_version,
            "position": self.position,
            "correlationid": self.correlation_id,
            "causationid": self.causation_id,
        }
        if self.actor is not None:
            out["actor"] = self.actor  # CloudEvents extension attribute
        if self.traceparent is not None:
            out["traceparent"] = self.traceparent  # CloudEvents distributed tracing extension
        return out

    def to_json(self) -> bytes:
        return orjson.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Envelope:
        return cls(
            id=raw["id"],
            type=raw["type"],
            source=raw["source"],
            subject=raw["subject"],
            time=datetime.fromisoformat(raw["time"]),
            data=raw.get("data") or {},
            stream_version=int(raw["streamversion"]),
            position=raw.get("position"),
            correlation_id=raw.get("correlationid"),
            causation_id=raw.get("causationid"),
            actor=raw.get("actor") if isinstance(raw.get("actor"), dict) else None,
            traceparent=raw["traceparent"] if isinstance(raw.get("traceparent"), str) else None,
        )

    @classmethod
    def from_json(cls, body: bytes | str) -> Envelope:
        return cls.from_dict(orjson.loads(body))

    def kafka_headers(self) -> list[tuple[str, bytes]]:
        """CloudEvents Kafka binding (structured mode) plus our extension attributes."""
        headers = [
            ("content-type", b"application/cloudevents+json; charset=UTF-8"),
            ("ce_specversion", SPEC_VERSION.encode()),
            ("ce_id", self.id.encode()),
            ("ce_type", self.type.encode()),
            ("ce_source", self.source.encode()),
            ("ce_subject", self.subject.encode()),
            ("ce_time", self.time.isoformat().encode()),
        ]
        if self.correlation_id:
            headers.append(("ce_correlationid", self.correlation_id.encode()))
        if self.causation_id:
            headers.append(("ce_causationid", self.causation_id.encode()))
        if self.actor is not None:
            headers.append(("ce_actor", orjson.dumps(self.actor)))
        if self.traceparent is not None:
            headers.append(("traceparent", self.traceparent.encode()))  # W3C, for any consumer
        return headers


def topic_for(context: str) -> str:
    return f"pos.{context}"


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"

"""The `@eventSource` directive: how a subgraph says which events feed a subscription field.

A subgraph imports it through `@link` and keeps it in the supergraph with
`@composeDirective`, so the gateway can read it from the composed SDL:

    extend schema
      @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@composeDirective"])
      @link(url: "https://pos.example/event-source/v0.1", import: ["@eventSource"])
      @composeDirective(name: "@eventSource")

Arguments are strings (not input objects) so that composition carries them verbatim.
Mappings are written ``"<name>=<envelope path>"``; a path is an envelope attribute
(``subject``, ``id``, ``type``, ``source``, ``streamVersion``, ``position``,
``correlationId``, ``causationId``) or ``data.<a>.<b>`` into the event's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventbus.envelope import Envelope

SPEC_URL_PREFIX = "https://pos.example/event-source/"
SPEC_URL = SPEC_URL_PREFIX + "v0.1"
DIRECTIVE_NAME = "eventSource"

DIRECTIVE_SDL = """directive @eventSource(
  "The topic the events are published on, e.g. pos.ordering."
  topic: String!
  "Event types (envelope `type`, versioned) that feed this field."
  events: [String!]!
  "Entity key fields from the envelope: [\\"id=subject\\"] or [\\"productId=data.productId\\"]."
  key: [String!]!
  "Field arguments that filter events: [\\"customerId=data.customerId\\"]."
  filter: [String!] = []
  "Field of the returned entity holding the read model's stream version (never stale)."
  version: String!
) on FIELD_DEFINITION"""

_ATTRIBUTES: dict[str, str] = {
    "subject": "subject",
    "id": "id",
    "type": "type",
    "source": "source",
    "streamVersion": "stream_version",
    "position": "position",
    "correlationId": "correlation_id",
    "causationId": "causation_id",
}
MISSING: Any = object()
"""What `EnvelopePath.read` returns when the envelope has no value at the path."""


@dataclass(frozen=True, slots=True)
class EnvelopePath:
    """A parsed path into an envelope: an attribute or a walk into `data`."""

    text: str
    parts: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> EnvelopePath:
        parts = tuple(text.strip().split("."))
        if parts[0] == "data":
            if len(parts) < 2 or not all(parts[1:]):
                raise ValueError(f"path {text!r} must name a data field, e.g. data.customerId")
            return cls(text.strip(), parts)
        if len(parts) != 1 or parts[0] not in _ATTRIBUTES:
            known = ", ".join(sorted(_ATTRIBUTES))
            raise ValueError(f"unknown envelope path {text!r}: use data.<field> or one of {known}")
        return cls(text.strip(), parts)

    def read(self, envelope: Envelope) -> Any:
        if self.parts[0] != "data":
            value = getattr(envelope, _ATTRIBUTES[self.parts[0]])
            return MISSING if value is None else value
        node: Any = envelope.data
        for part in self.parts[1:]:
            if not isinstance(node, dict) or part not in node:
                return MISSING
            node = node[part]
        return MISSING if node is None else node


@dataclass(frozen=True, slots=True)
class PathMapping:
    """``name=path``: a key field or a field argument, and where its value is in an event."""

    name: str
    path: EnvelopePath

    @classmethod
    def parse(cls, text: str) -> PathMapping:
        name, sep, path = text.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise ValueError(f"mapping {text!r} must read <name>=<path>, e.g. orderId=subject")
        return cls(name.strip(), EnvelopePath.parse(path))


def _comparable(value: Any) -> Any:
    """IDs arrive as strings in arguments but may be numbers in event data."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | str):
        return str(value)
    return value


def _matches(wanted: Any, actual: Any) -> bool:
    actual_values = actual if isinstance(actual, list) else [actual]
    wanted_values = wanted if isinstance(wanted, list | tuple) else [wanted]
    wanted_set = [_comparable(w) for w in wanted_values]
    return any(_comparable(a) in wanted_set for a in actual_values)


@dataclass(frozen=True, slots=True)
class EventSource:
    """What feeds one Subscription field: its topic, event types, key, filters, version."""

    field: str
    entity: str
    topic: str
    events: frozenset[str]
    key: tuple[PathMapping, ...]
    filters: tuple[PathMapping, ...]
    version_field: str
    graph: str | None = None
    """The supergraph's `join__Graph` value owning the field (None in a subgraph SDL)."""

    def feeds(self, envelope: Envelope) -> bool:
        return envelope.type in self.events

    def accepts(self, envelope: Envelope, arguments: dict[str, Any]) -> bool:
        """Whether the event is of a feeding type and passes the subscription's arguments.

        An argument that is absent or null does not filter; a list argument matches any
        of its values; a list in the event matches when any element is wanted.
        """
        if envelope.type not in self.events:
            return False
        for mapping in self.filters:
            wanted = arguments.get(mapping.name)
            if wanted is None:
                continue
            actual = mapping.path.read(envelope)
            if actual is MISSING or not _matches(wanted, actual):
                return False
        return True

    def representation_from_arguments(self, arguments: dict[str, Any]) -> dict[str, Any] | None:
        """The entity reference the field's arguments name, when every key field has a
        filter argument reading the same envelope path (`key: ["id=subject"]` with
        `filter: ["orderId=subject"]`) and the argument holds one value; else None."""
        by_path = {m.path.text: m.name for m in self.filters}
        rep: dict[str, Any] = {"__typename": self.entity}
        for mapping in self.key:
            argument = by_path.get(mapping.path.text)
            value = arguments.get(argument) if argument is not None else None
            if value is None or isinstance(value, list | dict):
                return None
            rep[mapping.name] = value
        return rep

    def representation(self, envelope: Envelope) -> dict[str, Any] | None:
        """The entity reference `{__typename, key fields}`, or None if a key is missing."""
        rep: dict[str, Any] = {"__typename": self.entity}
        for mapping in self.key:
            value = mapping.path.read(envelope)
            if value is MISSING:
                return None
            rep[mapping.name] = value
        return rep

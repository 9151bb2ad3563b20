"""Domain events as pydantic models, registered by stable type name, with upcasters.

Domain code declares events; the registry turns envelopes back into them. An envelope
whose type nobody registered decodes to `UnknownEvent` instead of raising, so a consumer
running older code skips (and reports) what it does not understand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
E = TypeVar("E", bound="type[DomainEvent]")


class DomainEvent(BaseModel):
    """Base of every domain event. Subclasses set `event_type` via `@event`."""

    model_config = ConfigDict(frozen=True)

    event_type: ClassVar[str] = ""
    event_version: ClassVar[int] = 1

    def payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class UnknownEvent(BaseModel):
    """What a consumer gets for a type name it has no class for."""

    type: str
    data: dict[str, Any]


class EventRegistry:
    def __init__(self) -> None:
        self._classes: dict[str, type[DomainEvent]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, cls: type[DomainEvent]) -> type[DomainEvent]:
        existing = self._classes.get(cls.event_type)
        if existing is not None and existing is not cls:
            raise ValueError(f"event type {cls.event_type!r} is registered twice")
        self._classes[cls.event_type] = cls
        return cls

    def add_upcaster(self, name: str, from_version: int, upcaster: Upcaster) -> None:
        """Register a step that turns `name.v<from_version>` data into the next version."""
        self._upcasters[(name, from_version)] = upcaster

    def decode(self, type_name: str, data: dict[str, Any]) -> DomainEvent | UnknownEvent:
        name, version = split_type(type_name)
        while (step := self._upcasters.get((name, version))) is not None:
            data = step(data)
            version += 1
        cls = self._classes.get(f"{name}.v{version}")
        if cls is None:
            return UnknownEvent(type=type_name, data=data)
        return cls.model_validate(data)

    def __contains__(self, type_name: str) -> bool:
        return type_name in self._classes


registry = EventRegistry()


def event(name: str, version: int = 1) -> Callable[[E], E]:
    """Class decorator: give an event its stable type name ``<name>.v<version>``.

    >>> @event("pos.catalog.ProductAdded")
    ... class ProductAdded(DomainEvent): ...
    """

    def mark(cls: E) -> E:
        cls.event_type = f"{name}.v{version}"
        cls.event_version = version
        registry.register(cls)
        return cls

    return mark


def split_type(type_name: str) -> tuple[str, int]:
    """``pos.x.Y.v2`` -> (``pos.x.Y``, 2); a name without a version is v1."""
    head, _, tail = type_name.rpartition(".v")
    if head and tail.isdigit():
        return head, int(tail)
    return type_name, 1

"""The Category aggregate: a named group of products."""

from __future__ import annotations

from typing import ClassVar

from eventbus import Aggregate, DomainEvent
from subgraphs.catalog.domain.events import CategoryCreated
from subgraphs.catalog.domain.values import CATEGORY_NAME_MAX, parse_name


class Category(Aggregate):
    context: ClassVar[str] = "catalog"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.name = ""

    @classmethod
    def create(cls, category_id: str, name: str) -> Category:
        category = cls(category_id)
        clean = parse_name(name, "name", CATEGORY_NAME_MAX)
        category._record(CategoryCreated(category_id=category_id, name=clean))
        return category

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, CategoryCreated):
            self.name = event.name

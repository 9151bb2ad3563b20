"""What the gateway may cache of the catalog, and which catalog events invalidate it.

`@cacheable` (supergraph/caching/spec.py) is declared here rather than in
subgraphs/hosting because only the catalog uses it so far. Every catalog answer is the
same for every caller (no resolver reads the caller's identity; the gateway removes the
fields a caller may not see before it plans), so entries are PUBLIC: one entry serves
every till. Product events name the product in `data.product_id`; a category event names
no product, so it drops every cached Product answer (a new category may fill in a
product's `category`, null while it was being indexed).
"""

from __future__ import annotations

import strawberry
from strawberry import federation
from strawberry.schema_directive import Location

from subgraphs.catalog.domain.events import (
    CategoryCreated,
    ProductActivated,
    ProductAdded,
    ProductBarcodeSet,
    ProductDeactivated,
    ProductPriceChanged,
    ProductRenamed,
    ProductTaxClassSet,
)

CACHEABLE_URL = "https://pos.example/cacheable/v0.1"
TOPIC = "pos.catalog"
PRODUCT_EVENTS = sorted(
    cls.event_type
    for cls in (
        ProductAdded,
        ProductRenamed,
        ProductPriceChanged,
        ProductDeactivated,
        ProductActivated,
        ProductBarcodeSet,
        ProductTaxClassSet,
    )
)
CATEGORY_EVENTS = [CategoryCreated.event_type]
MAX_AGE = 300
"""Seconds: the safety net only; events invalidate long before."""


@federation.schema_directive(
    locations=[Location.OBJECT, Location.FIELD_DEFINITION],
    name="cacheable",
    repeatable=True,
    compose=True,
    import_url=CACHEABLE_URL,
)
class Cacheable:
    """Answers the gateway may cache (read by the gateway; see supergraph/caching/spec.py)."""

    subgraph: str
    max_age: int
    topic: str | None = None
    events: list[str] = strawberry.field(default_factory=list)
    key: list[str] = strawberry.field(default_factory=list)
    scope: str = "PRIVATE"


def product_entity() -> Cacheable:
    return Cacheable(
        subgraph="catalog",
        max_age=MAX_AGE,
        topic=TOPIC,
        events=PRODUCT_EVENTS + CATEGORY_EVENTS,
        key=["id=data.product_id"],
        scope="PUBLIC",
    )


def product_lookup() -> Cacheable:
    """A root field answering products: any product event invalidates all its answers."""
    return Cacheable(
        subgraph="catalog",
        max_age=MAX_AGE,
        topic=TOPIC,
        events=PRODUCT_EVENTS + CATEGORY_EVENTS,
        scope="PUBLIC",
    )


def category_list() -> Cacheable:
    return Cacheable(
        subgraph="catalog", max_age=MAX_AGE, topic=TOPIC, events=CATEGORY_EVENTS, scope="PUBLIC"
    )

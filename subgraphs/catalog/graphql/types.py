"""Catalog GraphQL types: `Product` (keys id and sku), `Category`, shareable `Money`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry import federation
from strawberry.types import Info

from eventbus import DomainError
from eventbus.time_travel import AS_OF_BEFORE_CREATION, AsOfError, Fold
from subgraphs.catalog.domain import Category as CategoryAggregate
from subgraphs.catalog.domain import Product as ProductAggregate
from subgraphs.catalog.domain import parse_id, parse_sku
from subgraphs.catalog.graphql.cacheable import product_entity
from subgraphs.catalog.graphql.runtime import CatalogRuntime
from subgraphs.catalog.projections import CategoryView, ProductView, category_fold, product_fold
from subgraphs.hosting import history as history_of
from subgraphs.hosting.history import HistoryConnection
from subgraphs.hosting.money import Money
from subgraphs.hosting.schema import loaders_of, runtime_of

AS_OF = (
    "The instant this state is of (null: now). Set when the entity was asked for `asOf` an "
    "instant; references to other entities answer as of the same instant where their "
    "subgraph keeps history."
)
HISTORY = (
    "The events of this entity's stream, newest first (up to `asOf`, when set); `first` "
    "at most 100."
)


async def _history(
    info: Info,
    fold: Fold[Any],
    stream_id: str,
    first: int | None,
    after: str | None,
    until: datetime | None,
) -> HistoryConnection:
    store = runtime_of(info, CatalogRuntime).services.store
    return await history_of.history(store, fold, stream_id, first=first, after=after, until=until)


@federation.type(keys=["id asOf", "id"], description="A named group of products.")
class Category:
    id: strawberry.ID
    name: str
    as_of: datetime | None = strawberry.field(default=None, description=AS_OF)

    @strawberry.field(description=HISTORY)
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> HistoryConnection:
        return await _history(info, category_fold, str(self.id), first, after, self.as_of)

    @classmethod
    def from_view(cls, view: CategoryView, as_of: datetime | None = None) -> Category:
        return cls(id=strawberry.ID(view.id), name=view.name, as_of=as_of)

    @classmethod
    def from_aggregate(cls, category: CategoryAggregate) -> Category:
        return cls(id=strawberry.ID(category.id), name=category.name)

    @classmethod
    async def resolve_reference(
        cls, info: Info, id: strawberry.ID, asOf: str | None = None
    ) -> Category | None:
        category_id = parse_id(id, "id", "category")
        if asOf is not None:
            return await category_as_of(info, category_id, _instant(asOf))
        view = await loaders_of(info).by(CategoryView).load(category_id)
        return cls.from_view(view) if view else None


@federation.type(
    keys=["id asOf", "id", "sku"],
    description="Something the shop sells.",
    directives=[product_entity()],
)
class Product:
    id: strawberry.ID
    sku: str = strawberry.field(description="Unique, upper-case stock-keeping unit.")
    name: str = federation.field(
        shareable=True,
        description="Display name (ordering provides the name an order line captured).",
    )
    unit_price: Money
    active: bool = strawberry.field(description="Only active products can be ordered.")
    barcode: str | None = strawberry.field(
        description="EAN-13 (13 digits) or UPC-A (12), as entered; unique. Null: none."
    )
    tax_class: str = strawberry.field(
        description="Tax class name (STANDARD, REDUCED, ZERO, ...); each store's tax region "
        "gives it a rate."
    )
    category_id: strawberry.Private[str]
    as_of: datetime | None = strawberry.field(default=None, description=AS_OF)

    @strawberry.field(description="Null only while a just-created category is being indexed.")
    async def category(self, info: Info) -> Category | None:
        if self.as_of is not None:
            return await category_as_of(info, self.category_id, self.as_of)
        view = await loaders_of(info).by(CategoryView).load(self.category_id)
        return Category.from_view(view) if view else None

    @strawberry.field(description=HISTORY)
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> HistoryConnection:
        return await _history(info, product_fold, str(self.id), first, after, self.as_of)

    @classmethod
    def from_view(cls, view: ProductView, as_of: datetime | None = None) -> Product:
        return cls(
            id=strawberry.ID(view.id),
            sku=view.sku,
            name=view.name,
            unit_price=Money(amount=view.unit_price, currency=view.currency),
            active=view.active,
            barcode=view.barcode,
            tax_class=view.tax_class,
            category_id=view.category_id,
            as_of=as_of,
        )

    @classmethod
    def from_aggregate(cls, product: ProductAggregate) -> Product:
        return cls(
            id=strawberry.ID(product.id),
            sku=product.sku,
            name=product.name,
            unit_price=Money(
                amount=str(product.unit_price.amount), currency=product.unit_price.currency
            ),
            active=product.active,
            barcode=product.barcode,
            tax_class=product.tax_class,
            category_id=product.category_id,
        )

    @classmethod
    async def resolve_reference(
        cls,
        info: Info,
        id: strawberry.ID | None = None,
        sku: str | None = None,
        asOf: str | None = None,
    ) -> Product | None:
        if id is not None and asOf is not None:
            return await product_as_of(info, parse_id(id, "id", "product"), _instant(asOf))
        if id is not None:
            view = await loaders_of(info).by(ProductView).load(parse_id(id, "id", "product"))
        elif sku is not None:
            view = await loaders_of(info).by(ProductView, "sku").load(parse_sku(sku))
        else:
            return None
        return cls.from_view(view) if view else None


def _instant(raw: str) -> datetime:
    """A representation's `asOf` (JSON text: the gateway passes the instant through)."""
    try:
        return datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        raise DomainError(f"asOf {raw!r} is not an ISO-8601 instant", field="asOf") from None


async def product_as_of(info: Info, product_id: str, instant: datetime) -> Product | None:
    """The product as it was at `instant`, from its stream (BAD_USER_INPUT for an instant
    in the future or before it was added)."""
    store = runtime_of(info, CatalogRuntime).services.store
    view = await history_of.as_of(store, product_fold, product_id, instant)
    return Product.from_view(view, as_of=instant.astimezone(UTC)) if view else None


async def category_as_of(info: Info, category_id: str, instant: datetime) -> Category | None:
    """The category at `instant`; one created after it is null, not an error (a product's
    category may be younger than an instant the caller chose for the product)."""
    store = runtime_of(info, CatalogRuntime).services.store
    try:
        view = await history_of.as_of(store, category_fold, category_id, instant)
    except AsOfError as error:
        if error.details.get("reason") != AS_OF_BEFORE_CREATION:
            raise
        return None
    return Category.from_view(view, as_of=instant.astimezone(UTC)) if view else None

"""Catalog GraphQL types: `Product` (keys id and sku), `Category`, shareable `Money`."""

from __future__ import annotations

import strawberry
from strawberry import federation
from strawberry.types import Info

from subgraphs.catalog.domain import Category as CategoryAggregate
from subgraphs.catalog.domain import Product as ProductAggregate
from subgraphs.catalog.domain import parse_id, parse_sku
from subgraphs.catalog.graphql.cacheable import product_entity
from subgraphs.catalog.projections import CategoryView, ProductView
from subgraphs.hosting.money import Money
from subgraphs.hosting.schema import loaders_of


@federation.type(keys=["id"], description="A named group of products.")
class Category:
    id: strawberry.ID
    name: str

    @classmethod
    def from_view(cls, view: CategoryView) -> Category:
        return cls(id=strawberry.ID(view.id), name=view.name)

    @classmethod
    def from_aggregate(cls, category: CategoryAggregate) -> Category:
        return cls(id=strawberry.ID(category.id), name=category.name)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Category | None:
        view = await loaders_of(info).by(CategoryView).load(parse_id(id, "id", "category"))
        return cls.from_view(view) if view else None


@federation.type(
    keys=["id", "sku"], description="Something the shop sells.", directives=[product_entity()]
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

    @strawberry.field(description="Null only while a just-created category is being indexed.")
    async def category(self, info: Info) -> Category | None:
        view = await loaders_of(info).by(CategoryView).load(self.category_id)
        return Category.from_view(view) if view else None

    @classmethod
    def from_view(cls, view: ProductView) -> Product:
        return cls(
            id=strawberry.ID(view.id),
            sku=view.sku,
            name=view.name,
            unit_price=Money(amount=view.unit_price, currency=view.currency),
            active=view.active,
            barcode=view.barcode,
            tax_class=view.tax_class,
            category_id=view.category_id,
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
        cls, info: Info, id: strawberry.ID | None = None, sku: str | None = None
    ) -> Product | None:
        if id is not None:
            view = await loaders_of(info).by(ProductView).load(parse_id(id, "id", "product"))
        elif sku is not None:
            view = await loaders_of(info).by(ProductView, "sku").load(parse_sku(sku))
        else:
            return None
        return cls.from_view(view) if view else None

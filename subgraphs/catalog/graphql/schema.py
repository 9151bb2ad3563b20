"""The catalog subgraph: queries read `catalog.view` only; mutations run commands."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import strawberry
from strawberry import federation
from strawberry.types import Info

from eventbus import DomainError
from eventbus.time_travel import check_instant
from subgraphs.catalog.application import (
    ActivateProduct,
    AddProduct,
    ChangeProductPrice,
    CreateCategory,
    DeactivateProduct,
    RenameProduct,
    SetProductBarcode,
    SetProductTaxClass,
)
from subgraphs.catalog.domain import Product as ProductAggregate
from subgraphs.catalog.domain import gtin13, parse_barcode, parse_id, parse_sku
from subgraphs.catalog.graphql.cacheable import category_list, product_lookup
from subgraphs.catalog.graphql.inputs import (
    AddProductInput,
    ChangeProductPriceInput,
    CreateCategoryInput,
    RenameProductInput,
)
from subgraphs.catalog.graphql.runtime import CatalogRuntime
from subgraphs.catalog.graphql.types import Category, Product, product_as_of
from subgraphs.catalog.projections import CategoryView, ProductView, category_fold
from subgraphs.hosting import history
from subgraphs.hosting.commands import Executed, read_your_writes
from subgraphs.hosting.connection import Connection, connection_from_page
from subgraphs.hosting.money import Money
from subgraphs.hosting.pagination import paginate
from subgraphs.hosting.schema import SubgraphSchema, runtime_of

SEARCH_MAX = 100


def _runtime(info: Info) -> CatalogRuntime:
    return runtime_of(info, CatalogRuntime)


async def _product_payload(executed: Executed[ProductAggregate]) -> Product:
    return await read_your_writes(
        executed,
        lambda product: ProductView.get(product.id),
        Product.from_view,
        Product.from_aggregate,
    )


@strawberry.type
class Query:
    @strawberry.field(
        description="A product by id, or null. With `asOf`: as it was at that instant, "
        "replayed from its events (BAD_USER_INPUT with `extensions.reason` "
        "AS_OF_IN_FUTURE or AS_OF_BEFORE_CREATION for an instant no state answers).",
        directives=[product_lookup()],
    )
    async def product(
        self, info: Info, id: strawberry.ID, as_of: datetime | None = None
    ) -> Product | None:
        product_id = parse_id(id, "id", "product")
        if as_of is not None:
            return await product_as_of(info, product_id, as_of)
        view = await ProductView.get(product_id)
        return Product.from_view(view) if view else None

    @strawberry.field(directives=[product_lookup()])
    async def product_by_sku(self, sku: str) -> Product | None:
        view = await ProductView.find_one(ProductView.sku == parse_sku(sku))
        return Product.from_view(view) if view else None

    @strawberry.field(
        description="The product with this EAN-13 or UPC-A barcode (a UPC-A code also finds "
        "it written as EAN-13 with a leading 0); null if none has it.",
        directives=[product_lookup()],
    )
    async def product_by_barcode(self, barcode: str) -> Product | None:
        view = await ProductView.find_one(ProductView.gtin13 == gtin13(parse_barcode(barcode)))
        return Product.from_view(view) if view else None

    @strawberry.field(description="Products by sku; `search` matches name, sku or barcode.")
    async def products(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        category_id: strawberry.ID | None = None,
        search: str | None = None,
        active: bool | None = None,
    ) -> Connection[Product]:
        filters: dict[str, Any] = {}
        if category_id is not None:
            filters["category_id"] = parse_id(category_id, "categoryId", "category")
        if active is not None:
            filters["active"] = active
        if search is not None and search.strip():
            if len(search) > SEARCH_MAX:
                raise DomainError(f"search must be at most {SEARCH_MAX} characters", field="search")
            pattern = re.escape(search.strip())
            filters["$or"] = [
                {"name": {"$regex": pattern, "$options": "i"}},
                {"sku": {"$regex": pattern, "$options": "i"}},
                {"barcode": {"$regex": pattern}},
            ]
        page = await paginate(
            ProductView,
            filters,
            order_by="sku",
            first=first,
            after=after,
            last=last,
            before=before,
        )
        return connection_from_page(page.map(Product.from_view))

    @strawberry.field(directives=[category_list()])
    async def categories(self) -> list[Category]:
        views = await CategoryView.find_all().sort("name").to_list()
        return [Category.from_view(view) for view in views]

    @strawberry.field(
        description="A category by id, or null; with `asOf`, as it was at that instant."
    )
    async def category(
        self, info: Info, id: strawberry.ID, as_of: datetime | None = None
    ) -> Category | None:
        category_id = parse_id(id, "id", "category")
        if as_of is not None:
            checked = check_instant(as_of)
            store = _runtime(info).services.store
            view = await history.as_of(store, category_fold, category_id, checked)
            return Category.from_view(view, as_of=checked) if view else None
        view = await CategoryView.get(category_id)
        return Category.from_view(view) if view else None


@strawberry.type
class Mutation:
    @federation.mutation(requires_scopes=[["catalog:write"]])
    async def create_category(self, info: Info, input: CreateCategoryInput) -> Category:
        runtime = _runtime(info)
        executed = await runtime.run(
            runtime.handlers.create_category,
            CreateCategory(name=input.name, category_id=input.id),
        )
        return await read_your_writes(
            executed,
            lambda category: CategoryView.get(category.id),
            Category.from_view,
            Category.from_aggregate,
        )

    @federation.mutation(requires_scopes=[["catalog:write"]])
    async def add_product(self, info: Info, input: AddProductInput) -> Product:
        runtime = _runtime(info)
        command = AddProduct(
            sku=input.sku,
            name=input.name,
            category_id=input.category_id,
            unit_price=input.unit_price.amount,
            currency=input.unit_price.currency,
            product_id=input.id,
            barcode=input.barcode,
            tax_class=input.tax_class,
        )
        return await _product_payload(await runtime.run(runtime.handlers.add_product, command))

    @federation.mutation(
        requires_scopes=[["catalog:write"]],
        description="Give the product a barcode (EAN-13 or UPC-A), replacing any it had; "
        "null removes it, and the old one is free for another product.",
    )
    async def set_product_barcode(
        self, info: Info, product_id: strawberry.ID, barcode: str | None
    ) -> Product:
        runtime = _runtime(info)
        command = SetProductBarcode(product_id=product_id, barcode=barcode)
        return await _product_payload(await runtime.run(runtime.handlers.set_barcode, command))

    @federation.mutation(
        requires_scopes=[["catalog:write"]],
        description="Put the product in a tax class (STANDARD, REDUCED, ZERO, ...).",
    )
    async def set_product_tax_class(
        self, info: Info, product_id: strawberry.ID, tax_class: str
    ) -> Product:
        runtime = _runtime(info)
        command = SetProductTaxClass(product_id=product_id, tax_class=tax_class)
        return await _product_payload(await runtime.run(runtime.handlers.set_tax_class, command))

    @federation.mutation(requires_scopes=[["prices:write"]])
    async def change_product_price(self, info: Info, input: ChangeProductPriceInput) -> Product:
        runtime = _runtime(info)
        command = ChangeProductPrice(
            product_id=input.id,
            unit_price=input.unit_price.amount,
            currency=input.unit_price.currency,
        )
        return await _product_payload(await runtime.run(runtime.handlers.change_price, command))

    @federation.mutation(requires_scopes=[["catalog:write"]])
    async def rename_product(self, info: Info, input: RenameProductInput) -> Product:
        runtime = _runtime(info)
        command = RenameProduct(product_id=input.id, name=input.name)
        return await _product_payload(await runtime.run(runtime.handlers.rename, command))

    @federation.mutation(requires_scopes=[["catalog:write"]])
    async def deactivate_product(self, info: Info, id: strawberry.ID) -> Product:
        runtime = _runtime(info)
        command = DeactivateProduct(product_id=id)
        return await _product_payload(await runtime.run(runtime.handlers.deactivate, command))

    @federation.mutation(requires_scopes=[["catalog:write"]])
    async def activate_product(self, info: Info, id: strawberry.ID) -> Product:
        runtime = _runtime(info)
        command = ActivateProduct(product_id=id)
        return await _product_payload(await runtime.run(runtime.handlers.activate, command))


schema = SubgraphSchema(query=Query, mutation=Mutation, types=[Money, Product, Category])

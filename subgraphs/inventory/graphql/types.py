"""Inventory GraphQL types: `StockItem` (compound key) and its extension of `Product`.

`Product.stockValue` needs the catalog's price: `@requires(fields: "unitPrice { amount
currency }")` makes the gateway fetch `unitPrice` from the catalog first and pass it in
the entity representation; inventory never calls the catalog itself.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import strawberry
from strawberry import federation
from strawberry.types import Info

from subgraphs.hosting.money import Money
from subgraphs.hosting.schema import loaders_of
from subgraphs.inventory.application import parse_product_id
from subgraphs.inventory.domain import DEFAULT_WAREHOUSE, stock_item_id
from subgraphs.inventory.domain import StockItem as StockItemAggregate
from subgraphs.inventory.projections import StockLevel


# No description: catalog, the owner, describes Product.
@federation.type(keys=["id"])
class Product:
    id: strawberry.ID
    level: strawberry.Private[StockLevel | None]
    price: strawberry.Private[Money | None] = None

    @federation.field(external=True)
    def unit_price(self) -> Money:
        if self.price is None:
            raise ValueError("unitPrice is resolved by the catalog subgraph")
        return self.price

    @federation.field(
        requires_scopes=[["stock:read"]], description="Units in the warehouse, reserved or not."
    )
    def on_hand(self) -> int:
        return self.level.on_hand if self.level else 0

    @federation.field(
        requires_scopes=[["stock:read"]], description="Units held for orders not yet shipped."
    )
    def reserved(self) -> int:
        return self.level.reserved if self.level else 0

    @strawberry.field(description="Units that can still be ordered: onHand - reserved.")
    def available(self) -> int:
        return self.level.available if self.level else 0

    @federation.field(
        requires=["unitPrice { amount currency }"],
        requires_scopes=[["reports:read"]],
        description="onHand x the catalog's unit price.",
    )
    def stock_value(self) -> Money | None:
        if self.price is None:
            return None
        try:
            amount = Decimal(self.price.amount) * self.on_hand()
        except InvalidOperation:
            return None
        return Money(amount=str(amount), currency=self.price.currency)

    @classmethod
    async def resolve_reference(
        cls, info: Info, id: strawberry.ID, unitPrice: dict[str, Any] | None = None
    ) -> Product:
        product_id = parse_product_id(id, "id")
        level = await loaders_of(info).by(StockLevel).load(stock_item_id(product_id))
        price = None
        if unitPrice and "amount" in unitPrice and "currency" in unitPrice:
            price = Money(amount=str(unitPrice["amount"]), currency=str(unitPrice["currency"]))
        return cls(id=strawberry.ID(product_id), level=level, price=price)


@federation.type(
    keys=["productId warehouse"],
    requires_scopes=[["stock:read"]],
    description="One product's stock in one warehouse.",
)
class StockItem:
    product_id: strawberry.ID
    warehouse: str
    on_hand: int
    reserved: int
    available: int
    version: int = strawberry.field(
        description="The stock item stream's version these levels reflect (the gateway's "
        "subscriptions never push levels older than the event)."
    )

    @strawberry.field
    def product(self) -> Product:
        level = StockLevel(
            id=stock_item_id(self.product_id, self.warehouse),
            product_id=self.product_id,
            warehouse=self.warehouse,
            on_hand=self.on_hand,
            reserved=self.reserved,
            available=self.available,
        )
        return Product(id=self.product_id, level=level)

    @classmethod
    def from_level(cls, level: StockLevel) -> StockItem:
        return cls(
            product_id=strawberry.ID(level.product_id),
            warehouse=level.warehouse,
            on_hand=level.on_hand,
            reserved=level.reserved,
            available=level.available,
            version=level.applied.get(level.id, 0),
        )

    @classmethod
    def empty(cls, product_id: str, warehouse: str = DEFAULT_WAREHOUSE) -> StockItem:
        return cls(
            product_id=strawberry.ID(product_id),
            warehouse=warehouse,
            on_hand=0,
            reserved=0,
            available=0,
            version=0,
        )

    @classmethod
    def from_aggregate(cls, item: StockItemAggregate) -> StockItem:
        return cls(
            product_id=strawberry.ID(item.product_id),
            warehouse=item.warehouse,
            on_hand=item.on_hand,
            reserved=item.reserved,
            available=item.available,
            version=item.version,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info, productId: strawberry.ID, warehouse: str
    ) -> StockItem | None:
        product_id = parse_product_id(productId)
        level = await loaders_of(info).by(StockLevel).load(stock_item_id(product_id, warehouse))
        return cls.from_level(level) if level else None

"""Inventory GraphQL types: `StockItem` (compound key) and its extension of `Product`,
`Transfer` and `StockCount` (mutation payloads, from the write model).

`Product.stockValue` needs the catalog's price: `@requires(fields: "unitPrice { amount
currency }")` makes the gateway fetch `unitPrice` from the catalog first and pass it in
the entity representation; inventory never calls the catalog itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

import strawberry
from strawberry import federation
from strawberry.types import Info

from eventbus.time_travel import AS_OF_BEFORE_CREATION, AsOfError
from subgraphs.hosting import history
from subgraphs.hosting.history import HistoryConnection
from subgraphs.hosting.money import Money
from subgraphs.hosting.schema import loaders_of
from subgraphs.inventory.application import parse_product_id
from subgraphs.inventory.domain import DEFAULT_WAREHOUSE, MAIN, parse_location, stock_item_id
from subgraphs.inventory.domain import StockCount as StockCountAggregate
from subgraphs.inventory.domain import StockItem as StockItemAggregate
from subgraphs.inventory.domain import Transfer as TransferAggregate
from subgraphs.inventory.projections import (
    KnownStore,
    StockCountView,
    StockLevel,
    TransferView,
    count_fold,
    stock_fold,
    transfer_fold,
)

AS_OF = (
    "The instant this state is of (null: now). Set when the entity was asked for `asOf` an "
    "instant; references to other entities answer as of the same instant where their "
    "subgraph keeps history."
)
HISTORY = (
    "The events of this entity's stream, newest first (up to `asOf`, when set); `first` "
    "at most 100."
)


async def level_as_of(info: Info, item_id: str, instant: datetime) -> StockLevel | None:
    """A stock item's levels at `instant`; None (zeros) before its first movement, which
    is not an error: a product has stock 0 until goods arrive."""
    try:
        found: StockLevel | None = await history.as_of(
            history.store_of(info), stock_fold, item_id, instant
        )
    except AsOfError as error:
        if error.details.get("reason") != AS_OF_BEFORE_CREATION:
            raise
        return None
    return found


# No description: catalog, the owner, describes Product.
@federation.type(keys=["id", "id asOf"])
class Product:
    id: strawberry.ID
    level: strawberry.Private[StockLevel | None]
    price: strawberry.Private[Money | None] = None
    as_of: datetime | None = strawberry.field(default=None)

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
        requires_scopes=[["stock:read"]],
        description="The product's stock at one location: a store id or MAIN (zeros where "
        "it never had any).",
    )
    async def stock_at(self, info: Info, location_id: strawberry.ID) -> StockItem:
        location = parse_location(location_id)
        item_id = stock_item_id(self.id, location)
        if self.as_of is not None:
            then = await level_as_of(info, item_id, self.as_of)
            return StockItem.at(then, self.id, location, self.as_of)
        level = await loaders_of(info).by(StockLevel).load(item_id)
        return StockItem.from_level(level) if level else StockItem.empty(self.id, location)

    @federation.field(
        requires_scopes=[["stock:read"]],
        description="The product's stock per location: MAIN first, then every store that "
        "ever held it, by store code.",
    )
    async def stock_levels(self, info: Info) -> list[StockItem]:
        stores = await KnownStore.find_all().sort("code").to_list()
        if self.as_of is not None:
            at = self.as_of
            then = [await level_as_of(info, stock_item_id(self.id, s.id), at) for s in stores]
            main = StockItem.at(self.level, self.id, MAIN, at)
            return [main, *(StockItem.from_level(lv, at) for lv in then if lv is not None)]
        loader = loaders_of(info).by(StockLevel)
        levels = [await loader.load(stock_item_id(self.id, s.id)) for s in stores]
        main = StockItem.from_level(self.level) if self.level else StockItem.empty(self.id)
        return [main, *(StockItem.from_level(level) for level in levels if level is not None)]

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
        cls,
        info: Info,
        id: strawberry.ID,
        unitPrice: dict[str, Any] | None = None,
        asOf: str | None = None,
    ) -> Product:
        product_id = parse_product_id(id, "id")
        price = None
        if unitPrice and "amount" in unitPrice and "currency" in unitPrice:
            price = Money(amount=str(unitPrice["amount"]), currency=str(unitPrice["currency"]))
        if asOf is not None:
            at = history.representation_instant(asOf).astimezone(UTC)
            then = await level_as_of(info, stock_item_id(product_id), at)
            return cls(id=strawberry.ID(product_id), level=then, price=price, as_of=at)
        level = await loaders_of(info).by(StockLevel).load(stock_item_id(product_id))
        return cls(id=strawberry.ID(product_id), level=level, price=price)


@federation.type(
    keys=["productId warehouse", "productId warehouse asOf"],
    requires_scopes=[["stock:read"]],
    description="One product's stock at one location: the warehouse MAIN (customer "
    "orders reserve from it) or a store (its id).",
)
class StockItem:
    product_id: strawberry.ID
    warehouse: str = strawberry.field(description="The location: MAIN or a store id.")
    on_hand: int = strawberry.field(
        description="Units there; below 0 only after store sales of goods the books lacked."
    )
    reserved: int
    available: int
    needs_count: bool = strawberry.field(
        description="On hand is below 0: the shelf should be counted (recordStockCount)."
    )
    version: int = strawberry.field(
        description="The stock item stream's version these levels reflect (the gateway's "
        "subscriptions never push levels older than the event)."
    )
    as_of: datetime | None = strawberry.field(default=None, description=AS_OF)

    @strawberry.field(description=HISTORY)
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> HistoryConnection:
        item_id = stock_item_id(self.product_id, self.warehouse)
        return await history.history(
            history.store_of(info), stock_fold, item_id, first=first, after=after, until=self.as_of
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
        main = level if self.warehouse == MAIN else None
        return Product(id=self.product_id, level=main, as_of=self.as_of)

    @classmethod
    def at(
        cls, level: StockLevel | None, product_id: str, warehouse: str, as_of: datetime
    ) -> StockItem:
        """The stock item as of an instant (zeros before its first movement)."""
        if level is None:
            return cls.empty(product_id, warehouse, as_of)
        return cls.from_level(level, as_of)

    @classmethod
    def from_level(cls, level: StockLevel, as_of: datetime | None = None) -> StockItem:
        return cls(
            product_id=strawberry.ID(level.product_id),
            warehouse=level.warehouse,
            on_hand=level.on_hand,
            reserved=level.reserved,
            available=level.available,
            needs_count=level.on_hand < 0,
            version=level.applied.get(level.id, 0),
            as_of=as_of,
        )

    @classmethod
    def empty(
        cls, product_id: str, warehouse: str = DEFAULT_WAREHOUSE, as_of: datetime | None = None
    ) -> StockItem:
        return cls(
            product_id=strawberry.ID(product_id),
            warehouse=warehouse,
            on_hand=0,
            reserved=0,
            available=0,
            needs_count=False,
            version=0,
            as_of=as_of,
        )

    @classmethod
    def from_aggregate(cls, item: StockItemAggregate) -> StockItem:
        return cls(
            product_id=strawberry.ID(item.product_id),
            warehouse=item.warehouse,
            on_hand=item.on_hand,
            reserved=item.reserved,
            available=item.available,
            needs_count=item.needs_count,
            version=item.version,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info, productId: strawberry.ID, warehouse: str, asOf: str | None = None
    ) -> StockItem | None:
        product_id = parse_product_id(productId)
        item_id = stock_item_id(product_id, warehouse)
        if asOf is not None:
            at = history.representation_instant(asOf).astimezone(UTC)
            then = await level_as_of(info, item_id, at)
            return cls.from_level(then, at) if then else None
        level = await loaders_of(info).by(StockLevel).load(item_id)
        return cls.from_level(level) if level else None


@strawberry.type(description="One product of a transfer: sent, and once received what came.")
class TransferLine:
    product_id: strawberry.ID
    sent: int
    received: int | None = strawberry.field(description="Null until the transfer is received.")
    difference: int | None = strawberry.field(
        description="received - sent: negative when goods went missing on the way."
    )


@strawberry.enum
class TransferStatus(Enum):
    IN_TRANSIT = "IN_TRANSIT"
    RECEIVED = "RECEIVED"


@federation.type(
    requires_scopes=[["stock:read"]],
    description="Goods moved between two locations (MAIN or stores).",
)
class Transfer:
    id: strawberry.ID
    from_location: str
    to_location: str
    status: TransferStatus
    lines: list[TransferLine]
    as_of: datetime | None = strawberry.field(default=None, description=AS_OF)

    @strawberry.field(description=HISTORY)
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> HistoryConnection:
        return await history.history(
            history.store_of(info),
            transfer_fold,
            str(self.id),
            first=first,
            after=after,
            until=self.as_of,
        )

    @classmethod
    def from_view(cls, view: TransferView, as_of: datetime | None = None) -> Transfer:
        return cls(
            id=strawberry.ID(view.id),
            from_location=view.from_location,
            to_location=view.to_location,
            status=TransferStatus(view.status),
            lines=[
                TransferLine(
                    product_id=strawberry.ID(line["product_id"]),
                    sent=int(line["sent"]),
                    received=line.get("received"),
                    difference=line.get("difference"),
                )
                for line in view.lines
            ],
            as_of=as_of,
        )

    @classmethod
    def from_aggregate(cls, transfer: TransferAggregate) -> Transfer:
        received = {line.product_id: line for line in transfer.received}
        return cls(
            id=strawberry.ID(transfer.id),
            from_location=transfer.from_location,
            to_location=transfer.to_location,
            status=TransferStatus(transfer.status.value),
            lines=[
                TransferLine(
                    product_id=strawberry.ID(line.product_id),
                    sent=line.quantity,
                    received=received[line.product_id].received
                    if line.product_id in received
                    else None,
                    difference=received[line.product_id].difference
                    if line.product_id in received
                    else None,
                )
                for line in transfer.lines
            ],
        )


@strawberry.type(description="One product of a stock count: the books, the shelf, the variance.")
class StockCountLine:
    product_id: strawberry.ID
    expected: int = strawberry.field(description="On hand by the books before the count.")
    counted: int
    variance: int = strawberry.field(description="counted - expected, booked as adjustment.")


@federation.type(
    requires_scopes=[["stock:read"]],
    description="A count of a location's shelves; its variances became adjustments.",
)
class StockCount:
    id: strawberry.ID
    location_id: str
    lines: list[StockCountLine]
    as_of: datetime | None = strawberry.field(default=None, description=AS_OF)

    @strawberry.field(description=HISTORY)
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> HistoryConnection:
        return await history.history(
            history.store_of(info),
            count_fold,
            str(self.id),
            first=first,
            after=after,
            until=self.as_of,
        )

    @classmethod
    def from_view(cls, view: StockCountView, as_of: datetime | None = None) -> StockCount:
        return cls(
            id=strawberry.ID(view.id),
            location_id=view.location_id,
            lines=[
                StockCountLine(
                    product_id=strawberry.ID(line["product_id"]),
                    expected=int(line["expected"]),
                    counted=int(line["counted"]),
                    variance=int(line["variance"]),
                )
                for line in view.lines
            ],
            as_of=as_of,
        )

    @classmethod
    def from_aggregate(cls, count: StockCountAggregate) -> StockCount:
        return cls(
            id=strawberry.ID(count.id),
            location_id=count.location_id,
            lines=[
                StockCountLine(
                    product_id=strawberry.ID(line.product_id),
                    expected=line.expected,
                    counted=line.counted,
                    variance=line.variance,
                )
                for line in count.lines
            ],
        )

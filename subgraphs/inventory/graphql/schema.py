"""The inventory subgraph: stock queries read projections; two stock commands."""

from __future__ import annotations

import strawberry
from strawberry import federation
from strawberry.types import Info

from eventbus import DomainError
from subgraphs.hosting.commands import Executed, read_your_writes
from subgraphs.hosting.connection import Connection, connection_from_page
from subgraphs.hosting.money import Money
from subgraphs.hosting.pagination import paginate
from subgraphs.hosting.schema import SubgraphSchema, runtime_of
from subgraphs.inventory.application import AdjustStock, ReceiveStock, parse_product_id
from subgraphs.inventory.domain import StockItem as StockItemAggregate
from subgraphs.inventory.domain import stock_item_id
from subgraphs.inventory.graphql.inputs import AdjustStockInput, ReceiveStockInput
from subgraphs.inventory.graphql.live import Subscription
from subgraphs.inventory.graphql.runtime import InventoryRuntime
from subgraphs.inventory.graphql.types import Product, StockItem
from subgraphs.inventory.projections import KnownProduct, StockLevel


def _runtime(info: Info) -> InventoryRuntime:
    return runtime_of(info, InventoryRuntime)


async def _payload(executed: Executed[StockItemAggregate]) -> StockItem:
    return await read_your_writes(
        executed,
        lambda item: StockLevel.get(item.id),
        StockItem.from_level,
        StockItem.from_aggregate,
    )


@strawberry.type
class Query:
    @federation.field(
        requires_scopes=[["stock:read"]],
        description="Stock of a product (zeros if it never had any); null if the catalog "
        "has no such product.",
    )
    async def stock_item(self, product_id: strawberry.ID) -> StockItem | None:
        pid = parse_product_id(product_id)
        level = await StockLevel.get(stock_item_id(pid))
        if level is not None:
            return StockItem.from_level(level)
        if await KnownProduct.get(pid) is not None:
            return StockItem.empty(pid)  # known, but not yet indexed here
        return None

    @federation.field(
        requires_scopes=[["stock:read"]],
        description="Stock of active products with at most `threshold` units available "
        "(including products never delivered), fewest first.",
    )
    async def low_stock(
        self,
        threshold: int,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[StockItem]:
        if threshold < 0:
            raise DomainError(f"threshold must not be negative, got {threshold}", field="threshold")
        page = await paginate(
            StockLevel,
            {"available": {"$lte": threshold}, "active": True},
            order_by="available",
            first=first,
            after=after,
            last=last,
            before=before,
        )
        return connection_from_page(page.map(StockItem.from_level))


@strawberry.type
class Mutation:
    @federation.mutation(
        requires_scopes=[["stock:receive"]],
        description="Record a delivery: on hand grows by `quantity`.",
    )
    async def receive_stock(self, info: Info, input: ReceiveStockInput) -> StockItem:
        runtime = _runtime(info)
        command = ReceiveStock(
            product_id=input.product_id, quantity=input.quantity, receipt=input.receipt
        )
        return await _payload(await runtime.run(runtime.stock.receive, command))

    @federation.mutation(
        requires_scopes=[["stock:adjust"]],
        description="Correct the count; never below what is reserved.",
    )
    async def adjust_stock(self, info: Info, input: AdjustStockInput) -> StockItem:
        runtime = _runtime(info)
        command = AdjustStock(product_id=input.product_id, change=input.change, reason=input.reason)
        return await _payload(await runtime.run(runtime.stock.adjust, command))


schema = SubgraphSchema(
    query=Query, mutation=Mutation, subscription=Subscription, types=[Money, Product, StockItem]
)

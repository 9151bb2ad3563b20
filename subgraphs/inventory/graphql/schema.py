"""The inventory subgraph: stock queries read projections; stock commands (receipts and
adjustments per location, transfers between locations, stock counts)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry import federation
from strawberry.types import Info

from eventbus import DomainError
from eventbus.time_travel import check_instant
from subgraphs.hosting import history
from subgraphs.hosting.commands import Executed, read_your_writes
from subgraphs.hosting.connection import Connection, connection_from_page
from subgraphs.hosting.money import Money
from subgraphs.hosting.pagination import paginate
from subgraphs.hosting.schema import SubgraphSchema, runtime_of
from subgraphs.inventory.application import (
    AdjustStock,
    CountedLine,
    OrderLine,
    ReceiveStock,
    ReceiveTransfer,
    RecordStockCount,
    SendTransfer,
    parse_product_id,
)
from subgraphs.inventory.domain import StockItem as StockItemAggregate
from subgraphs.inventory.domain import parse_location, stock_item_id
from subgraphs.inventory.graphql.inputs import (
    AdjustStockInput,
    CountedLineInput,
    ReceiveStockInput,
    StockLineInput,
)
from subgraphs.inventory.graphql.live import Subscription
from subgraphs.inventory.graphql.runtime import InventoryRuntime
from subgraphs.inventory.graphql.types import (
    Product,
    StockCount,
    StockItem,
    Transfer,
    TransferStatus,
    level_as_of,
)
from subgraphs.inventory.projections import (
    KnownProduct,
    StockCountView,
    StockLevel,
    TransferView,
    count_fold,
    transfer_fold,
)

ID_MAX = 100


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
    async def stock_item(
        self,
        info: Info,
        product_id: strawberry.ID,
        location_id: strawberry.ID | None = None,
        as_of: datetime | None = None,
    ) -> StockItem | None:
        pid = parse_product_id(product_id)
        location = parse_location(location_id)
        if as_of is not None:
            at = check_instant(as_of)
            if await KnownProduct.get(pid) is None:
                return None
            return StockItem.at(
                await level_as_of(info, stock_item_id(pid, location), at), pid, location, at
            )
        level = await StockLevel.get(stock_item_id(pid, location))
        if level is not None:
            return StockItem.from_level(level)
        if await KnownProduct.get(pid) is not None:
            return StockItem.empty(pid, location)  # known, but no stock here (yet)
        return None

    @federation.field(
        requires_scopes=[["stock:read"]],
        description="Stock of active products with at most `threshold` units available "
        "(including products never delivered), fewest first; at MAIN unless `locationId` "
        "names a store (there: the products it ever held).",
    )
    async def low_stock(
        self,
        threshold: int,
        location_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[StockItem]:
        if threshold < 0:
            raise DomainError(f"threshold must not be negative, got {threshold}", field="threshold")
        page = await paginate(
            StockLevel,
            {
                "available": {"$lte": threshold},
                "active": True,
                "warehouse": parse_location(location_id),
            },
            order_by="available",
            first=first,
            after=after,
            last=last,
            before=before,
        )
        return connection_from_page(page.map(StockItem.from_level))

    @federation.field(requires_scopes=[["stock:read"]], description="A transfer by its id.")
    async def transfer(
        self, info: Info, id: strawberry.ID, as_of: datetime | None = None
    ) -> Transfer | None:
        if as_of is not None:
            view, at = await history.entity_as_of(
                history.store_of(info), transfer_fold, _id(id, "id"), as_of
            )
            return Transfer.from_view(view, at) if view else None
        view = await TransferView.get(_id(id, "id"))
        return Transfer.from_view(view) if view else None

    @federation.field(
        requires_scopes=[["stock:read"]],
        description="Transfers, newest first; `locationId` (MAIN or a store id): those "
        "sent from or to it; `status` filters.",
    )
    async def transfers(
        self,
        location_id: strawberry.ID | None = None,
        status: TransferStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Transfer]:
        filters: dict[str, Any] = {}
        if location_id is not None:
            filters["locations"] = parse_location(location_id)
        if status is not None:
            filters["status"] = status.value
        page = await paginate(
            TransferView,
            filters,
            order_by="sent_key",
            first=first,
            after=after,
            last=last,
            before=before,
            descending=True,
        )
        return connection_from_page(page.map(Transfer.from_view))

    @federation.field(requires_scopes=[["stock:read"]], description="A stock count by its id.")
    async def stock_count(
        self, info: Info, id: strawberry.ID, as_of: datetime | None = None
    ) -> StockCount | None:
        if as_of is not None:
            view, at = await history.entity_as_of(
                history.store_of(info), count_fold, _id(id, "id"), as_of
            )
            return StockCount.from_view(view, at) if view else None
        view = await StockCountView.get(_id(id, "id"))
        return StockCount.from_view(view) if view else None

    @federation.field(
        requires_scopes=[["stock:read"]],
        description="Stock counts, newest first; `locationId` (MAIN or a store id) filters.",
    )
    async def stock_counts(
        self,
        location_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[StockCount]:
        filters: dict[str, Any] = {}
        if location_id is not None:
            filters["location_id"] = parse_location(location_id)
        page = await paginate(
            StockCountView,
            filters,
            order_by="counted_key",
            first=first,
            after=after,
            last=last,
            before=before,
            descending=True,
        )
        return connection_from_page(page.map(StockCount.from_view))


def _id(value: str, field: str) -> str:
    text = str(value).strip()
    if not text or len(text) > ID_MAX:
        raise DomainError(f"{field} must be 1 to {ID_MAX} characters", field=field)
    return text


@strawberry.type
class Mutation:
    @federation.mutation(
        requires_scopes=[["stock:receive"]],
        description="Record a delivery: on hand grows by `quantity`.",
    )
    async def receive_stock(self, info: Info, input: ReceiveStockInput) -> StockItem:
        runtime = _runtime(info)
        command = ReceiveStock(
            product_id=input.product_id,
            quantity=input.quantity,
            receipt=input.receipt,
            location_id=input.location_id,
        )
        return await _payload(await runtime.run(runtime.stock.receive, command))

    @federation.mutation(
        requires_scopes=[["stock:adjust"]],
        description="Correct the count; never below what is reserved.",
    )
    async def adjust_stock(self, info: Info, input: AdjustStockInput) -> StockItem:
        runtime = _runtime(info)
        command = AdjustStock(
            product_id=input.product_id,
            change=input.change,
            reason=input.reason,
            location_id=input.location_id,
        )
        return await _payload(await runtime.run(runtime.stock.adjust, command))

    @federation.mutation(
        requires_scopes=[["stock:receive"]],
        description="Send goods from one location to another (MAIN or store ids): they "
        "leave `from` now and arrive at `to` with receiveTransfer. Only available units "
        "can be sent.",
    )
    async def send_transfer(
        self,
        info: Info,
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
        lines: list[StockLineInput],
        transfer_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Optional client-chosen UUID (retries are safe)."),
        ] = None,
    ) -> Transfer:
        runtime = _runtime(info)
        command = SendTransfer(
            from_location=from_,
            to_location=to,
            lines=tuple(OrderLine(line.product_id, line.quantity) for line in lines),
            transfer_id=transfer_id,
        )
        executed = await runtime.run(runtime.transfers.send, command)
        return Transfer.from_aggregate(executed.value)

    @federation.mutation(
        requires_scopes=[["stock:receive"]],
        description="Record what arrived of a transfer (a product sent but not listed "
        "arrived 0 times); each line keeps sent, received and the difference.",
    )
    async def receive_transfer(
        self, info: Info, transfer_id: strawberry.ID, received_lines: list[StockLineInput]
    ) -> Transfer:
        runtime = _runtime(info)
        command = ReceiveTransfer(
            transfer_id=transfer_id,
            received_lines=tuple(
                OrderLine(line.product_id, line.quantity) for line in received_lines
            ),
        )
        executed = await runtime.run(runtime.transfers.receive, command)
        return Transfer.from_aggregate(executed.value)

    @federation.mutation(
        requires_scopes=[["stock:adjust"]],
        description="Record a count of a location's shelves: each product's variance "
        "(counted - on hand) is booked as an adjustment.",
    )
    async def record_stock_count(
        self,
        info: Info,
        location_id: strawberry.ID,
        lines: list[CountedLineInput],
        count_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Optional client-chosen UUID (retries are safe)."),
        ] = None,
    ) -> StockCount:
        runtime = _runtime(info)
        command = RecordStockCount(
            location_id=location_id,
            lines=tuple(CountedLine(line.product_id, line.counted) for line in lines),
            count_id=count_id,
        )
        executed = await runtime.run(runtime.counts.record, command)
        return StockCount.from_aggregate(executed.value)


schema = SubgraphSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[Money, Product, StockItem, Transfer, StockCount],
)

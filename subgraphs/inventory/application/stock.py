"""Handlers for stock receipts and adjustments."""

from __future__ import annotations

from uuid import UUID

from eventbus import DomainError, EventStore, NotFound
from eventbus.repository import EventSourcedRepository
from subgraphs.hosting.commands import Handled
from subgraphs.inventory.application.commands import AdjustStock, ReceiveStock
from subgraphs.inventory.application.directory import ProductDirectory
from subgraphs.inventory.domain import StockItem, stock_item_id


def parse_product_id(value: str, field: str = "productId") -> str:
    try:
        return str(UUID(str(value)))
    except ValueError:
        raise DomainError(
            f"{field} {str(value)[:60]!r} is not a valid product id (a UUID)", field=field
        ) from None


class StockHandlers:
    def __init__(self, store: EventStore, directory: ProductDirectory) -> None:
        self.items = EventSourcedRepository(store, StockItem)
        self.directory = directory

    async def receive(self, command: ReceiveStock) -> Handled[StockItem]:
        item = await self._item(command.product_id)
        item.receive(command.quantity, command.receipt)
        return Handled(item, await self.items.save(item))

    async def adjust(self, command: AdjustStock) -> Handled[StockItem]:
        item = await self._item(command.product_id)
        item.adjust(command.change, command.reason)
        return Handled(item, await self.items.save(item))

    async def _item(self, raw_id: str) -> StockItem:
        product_id = parse_product_id(raw_id)
        item = await self.items.get(stock_item_id(product_id))
        if item is not None:
            return item
        if not await self.directory.exists(product_id):
            raise NotFound(
                f"product {product_id} is not in the catalog: add it there first "
                "(inventory learns products from catalog events within moments)",
                field="productId",
            )
        return StockItem.for_product(product_id)

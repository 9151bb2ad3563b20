"""Handlers for stock receipts and adjustments, at the warehouse or a store."""

from __future__ import annotations

from uuid import UUID

from eventbus import Conflict, DomainError, EventStore, NotFound
from eventbus.repository import EventSourcedRepository
from subgraphs.hosting.commands import Handled
from subgraphs.inventory.application.commands import AdjustStock, ReceiveStock
from subgraphs.inventory.application.directory import LocationDirectory, ProductDirectory
from subgraphs.inventory.domain import MAIN, StockItem, parse_location, stock_item_id


def parse_product_id(value: str, field: str = "productId") -> str:
    try:
        return str(UUID(str(value)))
    except ValueError:
        raise DomainError(
            f"{field} {str(value)[:60]!r} is not a valid product id (a UUID)", field=field
        ) from None


class AnyLocation:
    """A `LocationDirectory` that knows every location (for callers that checked)."""

    async def exists(self, location_id: str) -> bool:
        return True

    async def is_open(self, location_id: str) -> bool:
        return True


async def known_location(
    locations: LocationDirectory, raw: str | None, field: str = "locationId", *, open_: bool
) -> str:
    """The parsed location; NOT_FOUND for a store inventory never heard of, CONFLICT for
    a closed store when `open_` (goods cannot be delivered or sent to it)."""
    location = parse_location(raw, field)
    if location == MAIN:
        return location
    if not await locations.exists(location):
        raise NotFound(
            f"{field} {location} is not a store: open it in the stores context first "
            "(inventory learns stores from its events within moments), or use MAIN",
            field=field,
        )
    if open_ and not await locations.is_open(location):
        raise Conflict(f"store {location} is closed: it takes no goods", field=field)
    return location


class StockItems:
    """Loads a product's stock item at a location, refusing products the catalog lacks."""

    def __init__(self, store: EventStore, directory: ProductDirectory) -> None:
        self.repository = EventSourcedRepository(
            store, StockItem, snapshot_every=StockItem.snapshot_every
        )
        self.directory = directory

    async def load(self, raw_id: str, location: str, field: str = "productId") -> StockItem:
        product_id = parse_product_id(raw_id, field)
        item = await self.repository.get(stock_item_id(product_id, location))
        if item is not None:
            return item
        if not await self.directory.exists(product_id):
            raise NotFound(
                f"product {product_id} is not in the catalog: add it there first "
                "(inventory learns products from catalog events within moments)",
                field=field,
            )
        return StockItem.for_product(product_id, location)


class StockHandlers:
    def __init__(
        self,
        store: EventStore,
        directory: ProductDirectory,
        locations: LocationDirectory | None = None,
    ) -> None:
        self.stock = StockItems(store, directory)
        self.items = self.stock.repository
        self.directory = directory
        self.locations = locations or AnyLocation()

    async def receive(self, command: ReceiveStock) -> Handled[StockItem]:
        location = await known_location(self.locations, command.location_id, open_=True)
        item = await self.stock.load(command.product_id, location)
        item.receive(command.quantity, command.receipt)
        return Handled(item, await self.items.save(item))

    async def adjust(self, command: AdjustStock) -> Handled[StockItem]:
        location = await known_location(self.locations, command.location_id, open_=False)
        item = await self.stock.load(command.product_id, location)
        item.adjust(command.change, command.reason)
        return Handled(item, await self.items.save(item))

"""Stock counts: what the shelves of a location hold, the variances booked as
adjustments (`StockCounted` per product that differs), the count itself kept."""

from __future__ import annotations

from uuid import uuid4

from eventbus import Conflict, DomainError, Envelope, EventStore
from eventbus.repository import EventSourcedRepository
from subgraphs.hosting.commands import Handled
from subgraphs.inventory.application.commands import RecordStockCount
from subgraphs.inventory.application.directory import LocationDirectory, ProductDirectory
from subgraphs.inventory.application.stock import StockItems, known_location, parse_product_id
from subgraphs.inventory.domain import CountLine, StockCount

MAX_LINES = 2000


class CountHandlers:
    def __init__(
        self, store: EventStore, directory: ProductDirectory, locations: LocationDirectory
    ) -> None:
        self.store = store
        self.stock = StockItems(store, directory)
        self.counts = EventSourcedRepository(store, StockCount)
        self.locations = locations

    async def record(self, command: RecordStockCount) -> Handled[StockCount]:
        location = await known_location(self.locations, command.location_id, open_=False)
        count_id = (
            parse_product_id(command.count_id, "countId")
            if command.count_id is not None
            else str(uuid4())
        )
        if not command.lines:
            raise DomainError("a stock count needs at least one line", field="lines")
        if len(command.lines) > MAX_LINES:
            raise DomainError(f"a stock count has at most {MAX_LINES} lines", field="lines")
        count = await self.counts.get(count_id) or StockCount(count_id)
        if count.recorded:
            raise Conflict(f"stock count {count_id} was already recorded", field="countId")
        seen: set[str] = set()
        items = []
        lines: list[CountLine] = []
        for raw in command.lines:
            product_id = parse_product_id(raw.product_id, "lines")
            if product_id in seen:
                raise DomainError(
                    f"lines name product {product_id} twice: one line per product",
                    field="lines",
                )
            seen.add(product_id)
            item = await self.stock.load(product_id, location, "lines")
            expected = item.on_hand
            variance = item.count(count_id, raw.counted)
            lines.append(
                CountLine(
                    product_id=product_id,
                    expected=expected,
                    counted=raw.counted,
                    variance=variance,
                )
            )
            items.append(item)
        count.record(location, lines)
        async with self.store.unit_of_work() as uow:
            envelopes: list[Envelope] = []
            for item in items:
                envelopes += await self.stock.repository.save(item, uow=uow)
            envelopes += await self.counts.save(count, uow=uow)
        return Handled(count, envelopes)

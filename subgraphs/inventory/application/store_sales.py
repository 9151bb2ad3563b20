"""Sales at a register move a store's stock: a reactor on `pos.sales`.

`SaleCompleted` takes every line's quantity out of the store's stock (`StockSold`);
`ReturnProcessed` puts the RESTOCK lines back (`StockReturned`; WRITE_OFF lines stay
out: the goods came back unsellable, so the sale's decrement stands as their loss).
Read by published type names and data keys (the sales context's contract): `store_id`,
and lines with `product_id` and `quantity` (a sale's under `figures.lines`; a plain
`lines` list is read too). Goods in hand are never refused: the level may go below 0,
and such a level reports `needsCount`. A product inventory has not heard of is still
moved (the catalog's event may simply not have arrived yet).

Once per sale or return: the `StoreMovement` stream of the document is appended with
the stock items in one unit of work, expecting version 0.
"""

from __future__ import annotations

from typing import Any

from eventbus import Envelope, EventStore, topic_for
from eventbus.projection import Projection
from eventbus.repository import EventSourcedRepository
from subgraphs.inventory.application.commands import ApplyStoreMovement, OrderLine
from subgraphs.inventory.application.reservations import _retrying, merge_lines
from subgraphs.inventory.domain import (
    LineQuantity,
    MovementKind,
    StockItem,
    StoreMovement,
    parse_location,
    stock_item_id,
    store_movement_id,
)

SALE_COMPLETED = "pos.sales.SaleCompleted"
RETURN_PROCESSED = "pos.sales.ReturnProcessed"
RESTOCK = "RESTOCK"


def _name(type_name: str) -> str:
    head, _, tail = type_name.rpartition(".v")
    return head if head and tail.isdigit() else type_name


def _line_dicts(data: dict[str, Any]) -> list[dict[str, Any]]:
    figures = data.get("figures")
    if isinstance(figures, dict) and isinstance(figures.get("lines"), list):
        return list(figures["lines"])
    return list(data.get("lines") or [])


def movement_of(envelope: Envelope) -> ApplyStoreMovement | None:
    """The stock movement a sales event asks for; None for every other event."""
    kind = _name(envelope.type)
    data = envelope.data
    if kind == SALE_COMPLETED:
        movement, document = MovementKind.SALE, data.get("sale_id") or envelope.subject
        lines = _line_dicts(data)
    elif kind == RETURN_PROCESSED:
        movement, document = MovementKind.RETURN, data.get("return_id") or envelope.subject
        lines = [ln for ln in _line_dicts(data) if ln.get("disposition", RESTOCK) == RESTOCK]
    else:
        return None
    return ApplyStoreMovement(
        kind=movement.value,
        document_id=str(document),
        store_id=str(data["store_id"]),
        lines=tuple(
            OrderLine(product_id=str(ln["product_id"]), quantity=int(ln["quantity"]))
            for ln in lines
            if int(ln["quantity"]) > 0
        ),
        correlation_id=envelope.correlation_id or envelope.id,
        causation_id=envelope.id,
    )


class StoreMovementHandlers:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.items = EventSourcedRepository(
            store, StockItem, snapshot_every=StockItem.snapshot_every
        )
        self.movements = EventSourcedRepository(store, StoreMovement)

    async def applied(self, command: ApplyStoreMovement) -> bool:
        stream = store_movement_id(MovementKind(command.kind), command.document_id)
        return await self.store.stream_version(stream) > 0

    async def apply(self, command: ApplyStoreMovement) -> list[Envelope]:
        return await _retrying(lambda: self._apply(command))

    async def _apply(self, command: ApplyStoreMovement) -> list[Envelope]:
        if await self.applied(command):
            return []
        kind = MovementKind(command.kind)
        location = parse_location(command.store_id, "store_id")
        movement = StoreMovement.of(kind, command.document_id)
        lines = merge_lines(command.lines)
        items: list[StockItem] = []
        for line in lines:
            item = await self.items.get(
                stock_item_id(line.product_id, location)
            ) or StockItem.for_product(line.product_id, location)
            if kind is MovementKind.SALE:
                item.sell(command.document_id, line.quantity)
            else:
                item.restock(command.document_id, line.quantity)
            items.append(item)
        movement.record(
            location,
            [LineQuantity(product_id=ln.product_id, quantity=ln.quantity) for ln in lines],
        )
        meta = {"correlation_id": command.correlation_id, "causation_id": command.causation_id}
        async with self.store.unit_of_work() as uow:
            envelopes: list[Envelope] = []
            for item in items:
                envelopes += await self.items.save(item, uow=uow, **meta)
            envelopes += await self.movements.save(movement, uow=uow, **meta)
        return envelopes


class StoreSalesReactor(Projection):
    name = "inventory.store-sales"
    topics = (topic_for("sales"),)

    def __init__(self, handlers: StoreMovementHandlers) -> None:
        self.handlers = handlers

    async def has_applied(self, envelope: Envelope) -> bool:
        command = movement_of(envelope)
        return command is None or await self.handlers.applied(command)

    async def apply(self, envelope: Envelope) -> None:
        command = movement_of(envelope)
        if command is not None:
            await self.handlers.apply(command)

    async def reset(self) -> None:
        """A reactor has no read model to drop: its state is in the event store."""

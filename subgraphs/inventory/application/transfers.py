"""Transfers between locations: send (book out of the source) and receive (book in what
arrived, recording sent vs received per line).

Each is one unit of work over the transfer's stream and every stock item involved; a
concurrent change to any of them makes the whole command run again on fresh state.
"""

from __future__ import annotations

from uuid import uuid4

from eventbus import Envelope, EventStore, NotFound
from eventbus.repository import EventSourcedRepository
from subgraphs.hosting.commands import Handled
from subgraphs.inventory.application.commands import OrderLine, ReceiveTransfer, SendTransfer
from subgraphs.inventory.application.directory import LocationDirectory, ProductDirectory
from subgraphs.inventory.application.stock import StockItems, known_location, parse_product_id
from subgraphs.inventory.domain import LineQuantity, Transfer, TransferStatus


def _lines(lines: tuple[OrderLine, ...], field: str) -> list[LineQuantity]:
    return [
        LineQuantity(product_id=parse_product_id(line.product_id, field), quantity=line.quantity)
        for line in lines
    ]


def _transfer_id(raw: str | None) -> str:
    return parse_product_id(raw, "transferId") if raw is not None else str(uuid4())


class TransferHandlers:
    def __init__(
        self, store: EventStore, directory: ProductDirectory, locations: LocationDirectory
    ) -> None:
        self.store = store
        self.stock = StockItems(store, directory)
        self.transfers = EventSourcedRepository(store, Transfer)
        self.locations = locations

    async def send(self, command: SendTransfer) -> Handled[Transfer]:
        source = await known_location(self.locations, command.from_location, "from", open_=False)
        target = await known_location(self.locations, command.to_location, "to", open_=True)
        transfer_id = _transfer_id(command.transfer_id)
        lines = _lines(command.lines, "lines")
        transfer = await self.transfers.get(transfer_id) or Transfer(transfer_id)
        transfer.send(source, target, lines)
        items = [await self.stock.load(line.product_id, source, "lines") for line in lines]
        for item, line in zip(items, lines, strict=True):
            item.transfer_out(transfer_id, target, line.quantity)
        async with self.store.unit_of_work() as uow:
            envelopes: list[Envelope] = []
            for item in items:
                envelopes += await self.stock.repository.save(item, uow=uow)
            envelopes += await self.transfers.save(transfer, uow=uow)
        return Handled(transfer, envelopes)

    async def receive(self, command: ReceiveTransfer) -> Handled[Transfer]:
        transfer_id = parse_product_id(command.transfer_id, "transferId")
        transfer = await self.transfers.get(transfer_id)
        if transfer is None or transfer.status == TransferStatus.NONE:
            raise NotFound(f"transfer {transfer_id} does not exist", field="transferId")
        lines = transfer.receive(_lines(command.received_lines, "receivedLines"))
        items = []
        for line in lines:
            if line.received > 0:
                item = await self.stock.load(line.product_id, transfer.to_location, "lines")
                item.transfer_in(transfer_id, transfer.from_location, line.received)
                items.append(item)
        async with self.store.unit_of_work() as uow:
            envelopes: list[Envelope] = []
            for item in items:
                envelopes += await self.stock.repository.save(item, uow=uow)
            envelopes += await self.transfers.save(transfer, uow=uow)
        return Handled(transfer, envelopes)

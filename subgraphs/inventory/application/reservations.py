"""The saga's commands: reserve an order's lines all at once or not at all, release, commit.

One unit of work appends to every stock item involved (each with its expected version)
and to the order's reservation stream. A concurrent writer to any of them makes the whole
transaction fail, and the command runs again on fresh state, so two orders can never
both take the last unit, and an order is never reserved twice.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

from eventbus import ConcurrencyError, Envelope, EventStore
from eventbus.repository import EventSourcedRepository
from subgraphs.inventory.application.commands import (
    CommitOrder,
    OrderLine,
    ReleaseOrder,
    ReserveOrder,
)
from subgraphs.inventory.application.directory import ProductDirectory
from subgraphs.inventory.domain import (
    LineQuantity,
    RejectionReason,
    Reservation,
    ReservationStatus,
    StockItem,
    reservation_id,
    stock_item_id,
)

MAX_ATTEMPTS = 200
"""Contention on a hot product is normal in a sale; keep retrying (with jitter)."""


def merge_lines(lines: tuple[OrderLine, ...]) -> list[OrderLine]:
    """One line per product (an order may list a product twice), in first-seen order."""
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.product_id] = totals.get(line.product_id, 0) + line.quantity
    return [OrderLine(product_id=p, quantity=q) for p, q in totals.items()]


class ReservationHandlers:
    def __init__(self, store: EventStore, directory: ProductDirectory) -> None:
        self.store = store
        self.items = EventSourcedRepository(
            store, StockItem, snapshot_every=StockItem.snapshot_every
        )
        self.reservations = EventSourcedRepository(store, Reservation)
        self.directory = directory

    async def reserve(self, command: ReserveOrder) -> list[Envelope]:
        return await _retrying(lambda: self._reserve(command))

    async def release(self, command: ReleaseOrder) -> list[Envelope]:
        return await _retrying(lambda: self._settle(command, commit=False))

    async def commit(self, command: CommitOrder) -> list[Envelope]:
        return await _retrying(lambda: self._settle(command, commit=True))

    async def status(self, order_id: str) -> ReservationStatus:
        reservation = await self.reservations.get(reservation_id(order_id))
        return reservation.status if reservation else ReservationStatus.NONE

    async def _reserve(self, command: ReserveOrder) -> list[Envelope]:
        reservation = await self.reservations.get(reservation_id(command.order_id))
        if reservation is not None:
            return []  # already answered: a redelivery changes nothing
        reservation = Reservation.for_order(command.order_id)
        lines = merge_lines(command.lines)
        items: list[tuple[StockItem, int]] = []
        reasons: list[RejectionReason] = []
        for line in lines:
            item = await self.items.get(stock_item_id(line.product_id))
            if item is not None and command.order_id in item.reservations:
                # A racing delivery of the same event committed between our two reads.
                return []
            if line.quantity <= 0:
                reasons.append(
                    RejectionReason(
                        product_id=line.product_id,
                        reason="INVALID_QUANTITY",
                        requested=line.quantity,
                    )
                )
            elif item is None and not await self.directory.exists(line.product_id):
                reasons.append(
                    RejectionReason(product_id=line.product_id, reason="UNKNOWN_PRODUCT")
                )
            elif item is None or not item.can_reserve(line.quantity):
                reasons.append(
                    RejectionReason(
                        product_id=line.product_id,
                        reason="INSUFFICIENT_STOCK",
                        requested=line.quantity,
                        available=item.available if item else 0,
                    )
                )
            else:
                items.append((item, line.quantity))
        if not lines:
            reasons.append(RejectionReason(product_id="", reason="NO_LINES"))
        meta = {"correlation_id": command.correlation_id, "causation_id": command.causation_id}
        async with self.store.unit_of_work() as uow:
            if reasons:
                reservation.reject(reasons)
                return await self.reservations.save(reservation, uow=uow, **meta)
            envelopes: list[Envelope] = []
            for item, quantity in items:
                item.reserve(command.order_id, quantity)
                envelopes += await self.items.save(item, uow=uow, **meta)
            reservation.reserve(
                [LineQuantity(product_id=ln.product_id, quantity=ln.quantity) for ln in lines]
            )
            envelopes += await self.reservations.save(reservation, uow=uow, **meta)
            return envelopes

    async def _settle(self, command: ReleaseOrder | CommitOrder, *, commit: bool) -> list[Envelope]:
        reservation = await self.reservations.get(reservation_id(command.order_id))
        if reservation is None or reservation.status != ReservationStatus.RESERVED:
            return []  # nothing held (rejected, already released/committed, never placed)
        meta = {"correlation_id": command.correlation_id, "causation_id": command.causation_id}
        async with self.store.unit_of_work() as uow:
            envelopes: list[Envelope] = []
            for line in reservation.lines:
                item = await self.items.load(stock_item_id(line.product_id))
                if commit:
                    item.commit(command.order_id)
                else:
                    item.release(command.order_id)
                envelopes += await self.items.save(item, uow=uow, **meta)
            if commit:
                reservation.commit()
            else:
                reservation.release()
            envelopes += await self.reservations.save(reservation, uow=uow, **meta)
            return envelopes


async def _retrying(attempt: Callable[[], Awaitable[list[Envelope]]]) -> list[Envelope]:
    for tries in range(1, MAX_ATTEMPTS + 1):
        try:
            return await attempt()
        except ConcurrencyError:
            if tries == MAX_ATTEMPTS:
                raise
            await asyncio.sleep(random.uniform(0, 0.002 * min(tries, 10)))
    raise AssertionError("unreachable")

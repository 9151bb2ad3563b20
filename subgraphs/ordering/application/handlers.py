"""Ordering command handlers: load the Order, decide, save (append + outbox) in one unit
of work. Placing an order also allocates its number from the day's counter stream in the
same transaction.

Ordering knows products and customers only from its own projections, which trail the
catalog and customers by the time events take to arrive. So a placement naming an id
ordering has not seen yet waits for it (polling the projection, bounded by
`REFERENCE_WAIT`) before rejecting: a front end can place an order right after creating
the product or customer, without retrying.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID, uuid4

from eventbus import ConcurrencyError, Conflict, DomainError, EventStore
from eventbus.repository import EventSourcedRepository
from subgraphs.hosting.commands import Handled
from subgraphs.ordering.application.commands import (
    AddressInput,
    CancelOrder,
    PayOrder,
    PlaceOrder,
    ShipOrder,
)
from subgraphs.ordering.application.ports import CustomerDirectory, KnownCustomerRef, PriceList
from subgraphs.ordering.domain import (
    Order,
    OrderNumberCounter,
    PaymentMethod,
    PricedProduct,
    ShippingAddress,
    counter_id,
    merge_quantities,
    price_lines,
)

Clock = Callable[[], datetime]
REFERENCE_WAIT = 2.0
"""Seconds a placement waits for an unknown product or customer to reach ordering."""
REFERENCE_POLL = 0.05
NUMBER_ATTEMPTS = 20
"""Placements that lose the race for the day's next number retry this often."""


def utc_now() -> datetime:
    """Now, to the millisecond: what the read store keeps, so a payload built from the
    write model shows the same instants as the projection."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def check_id(value: str, field: str, what: str) -> str:
    """Ids are UUIDs; anything else cannot name a record."""
    try:
        return str(UUID(str(value)))
    except ValueError:
        raise DomainError(
            f"{field} {value!r} is not a valid {what} id (a UUID)", field=field
        ) from None


def to_address(data: AddressInput) -> ShippingAddress:
    return ShippingAddress.create(
        line1=data.line1,
        line2=data.line2,
        city=data.city,
        postal_code=data.postal_code,
        country=data.country,
    )


class OrderHandlers:
    """The ordering context's write side, for users (mutations) and the saga (reactor)."""

    def __init__(
        self,
        store: EventStore,
        prices: PriceList,
        customers: CustomerDirectory,
        clock: Clock = utc_now,
        reference_wait: float = REFERENCE_WAIT,
    ) -> None:
        self.store = store
        self.prices = prices
        self.customers = customers
        self.clock = clock
        self.reference_wait = reference_wait
        self.orders: EventSourcedRepository[Order] = EventSourcedRepository(store, Order)
        self.counters: EventSourcedRepository[OrderNumberCounter] = EventSourcedRepository(
            store, OrderNumberCounter, snapshot_every=OrderNumberCounter.snapshot_every
        )

    async def place(self, command: PlaceOrder) -> Handled[Order]:
        customer_id = check_id(command.customer_id, "customerId", "customer")
        requested = [
            (check_id(line.product_id, f"lines[{i}].productId", "product"), line.quantity)
            for i, line in enumerate(command.lines)
        ]
        merge_quantities(requested)  # errors that need no product data come without a wait
        customer, known = await self._references(customer_id, [p for p, _ in requested])
        if customer is None:
            raise DomainError(
                f"customer {customer_id} does not exist (ordering waited "
                f"{self.reference_wait:g} s for it); register the customer first",
                field="customerId",
            )
        lines = price_lines(requested, known)
        if command.shipping_address is not None:
            address = to_address(command.shipping_address)
        elif customer.address is not None:
            address = customer.address
        else:
            raise DomainError(
                "shippingAddress is required: the customer has no address on file",
                field="shippingAddress",
            )
        order_id = check_id(command.order_id, "id", "order") if command.order_id else str(uuid4())
        if await self.orders.get(order_id) is not None:
            raise Conflict(f"order {order_id} already exists", field="id")
        currency = known[lines[0].product_id].currency
        for attempt in range(1, NUMBER_ATTEMPTS + 1):
            now = self.clock()
            day = now.date()
            counter = await self.counters.get(counter_id(day)) or OrderNumberCounter(
                counter_id(day)
            )
            order = Order.place(
                order_id,
                number=counter.allocate(day, order_id),
                customer_id=customer_id,
                lines=lines,
                currency=currency,
                shipping_address=address,
                now=now,
            )
            try:
                async with self.store.unit_of_work() as uow:
                    await self.counters.save(counter, uow=uow, correlation_id=order_id)
                    envelopes = await self.orders.save(order, uow=uow, correlation_id=order_id)
                return Handled(order, envelopes)
            except ConcurrencyError as exc:
                # Another order took this number: take the next one. (A race on the order
                # stream itself is a duplicate id and goes up to the caller.)
                if exc.stream_id != counter.id or attempt == NUMBER_ATTEMPTS:
                    raise
                await asyncio.sleep(random.uniform(0, 0.002 * attempt))
        raise AssertionError("unreachable")

    async def _references(
        self, customer_id: str, product_ids: list[str]
    ) -> tuple[KnownCustomerRef | None, dict[str, PricedProduct]]:
        """The customer and products as ordering knows them, waiting (bounded) while any
        of them is still unknown: they may have been created a moment ago."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.reference_wait
        wanted = set(product_ids)
        while True:
            customer = await self.customers.customer(customer_id)
            known = await self.prices.products(product_ids)
            if (customer is not None and wanted <= known.keys()) or loop.time() >= deadline:
                return customer, known
            await asyncio.sleep(min(REFERENCE_POLL, max(0.0, deadline - loop.time())))

    async def pay(self, command: PayOrder) -> Handled[Order]:
        order = await self._load(command.order_id)
        try:
            method = PaymentMethod(command.method)
        except ValueError:
            raise DomainError(
                f"method {command.method!r} is not a payment method; use CASH or CARD",
                field="method",
            ) from None
        order.pay(method, command.amount, self.clock())
        return Handled(order, await self.orders.save(order, correlation_id=order.id))

    async def ship(self, command: ShipOrder) -> Handled[Order]:
        order = await self._load(command.order_id)
        order.ship(self.clock())
        return Handled(order, await self.orders.save(order, correlation_id=order.id))

    async def cancel(self, command: CancelOrder) -> Handled[Order]:
        order = await self._load(command.order_id)
        order.cancel(command.reason, self.clock())
        return Handled(order, await self.orders.save(order, correlation_id=order.id))

    async def _load(self, order_id: str) -> Order:
        return await self.orders.load(check_id(order_id, "id", "order"))

"""What ordering resolvers need at run time: handlers, the orders projection, services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from subgraphs.hosting.commands import Executed, Handled, execute
from subgraphs.hosting.services import ContextServices
from subgraphs.ordering.application import Clock, OrderHandlers, utc_now
from subgraphs.ordering.projections import (
    MongoCustomerDirectory,
    MongoPriceList,
    OrdersProjection,
)

C = TypeVar("C")
R = TypeVar("R")


@dataclass
class OrderingRuntime:
    services: ContextServices
    handlers: OrderHandlers
    projection: OrdersProjection

    @classmethod
    def build(cls, services: ContextServices, clock: Clock = utc_now) -> OrderingRuntime:
        handlers = OrderHandlers(
            services.store, MongoPriceList(), MongoCustomerDirectory(), clock=clock
        )
        return cls(services, handlers, OrdersProjection())

    async def run(self, handler: Callable[[C], Awaitable[Handled[R]]], command: C) -> Executed[R]:
        """Execute with retries, then wait until `ordering.orders` shows the change."""
        return await execute(
            handler, command, projection=self.projection, on_commit=self.services.wake_relay
        )

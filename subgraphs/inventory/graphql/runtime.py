"""What inventory resolvers need at run time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from subgraphs.hosting.commands import Executed, Handled, execute
from subgraphs.hosting.services import ContextServices
from subgraphs.inventory.application import CountHandlers, StockHandlers, TransferHandlers
from subgraphs.inventory.projections import KnownProducts, KnownStores, StockLevels

C = TypeVar("C")
R = TypeVar("R")


@dataclass
class InventoryRuntime:
    services: ContextServices
    stock: StockHandlers
    transfers: TransferHandlers
    counts: CountHandlers
    projection: StockLevels

    @classmethod
    def build(cls, services: ContextServices) -> InventoryRuntime:
        products, stores = KnownProducts(), KnownStores()
        return cls(
            services,
            StockHandlers(services.store, products, stores),
            TransferHandlers(services.store, products, stores),
            CountHandlers(services.store, products, stores),
            StockLevels(),
        )

    async def run(self, handler: Callable[[C], Awaitable[Handled[R]]], command: C) -> Executed[R]:
        """Execute with retries, then wait until `inventory.stock` shows the change."""
        return await execute(
            handler, command, projection=self.projection, on_commit=self.services.wake_relay
        )

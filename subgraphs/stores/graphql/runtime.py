"""What stores resolvers need at run time: the handlers, the projection, the services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from subgraphs.hosting.commands import Executed, Handled, execute
from subgraphs.hosting.services import ContextServices
from subgraphs.stores.application import Clock, StoresHandlers, utcnow
from subgraphs.stores.projections import StoresView

C = TypeVar("C")
R = TypeVar("R")


@dataclass
class StoresRuntime:
    services: ContextServices
    handlers: StoresHandlers
    projection: StoresView

    @classmethod
    def build(cls, services: ContextServices, clock: Clock = utcnow) -> StoresRuntime:
        return cls(services, StoresHandlers(services.store, clock), StoresView())

    async def run(self, handler: Callable[[C], Awaitable[Handled[R]]], command: C) -> Executed[R]:
        """Execute with retries, then wait until `stores.view` shows the change."""
        return await execute(
            handler, command, projection=self.projection, on_commit=self.services.wake_relay
        )

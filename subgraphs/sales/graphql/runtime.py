"""What sales resolvers need at run time: the handlers, the projection, the services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from subgraphs.hosting.commands import Executed, Handled, execute
from subgraphs.hosting.services import ContextServices
from subgraphs.sales.application import Clock, SalesHandlers, utcnow
from subgraphs.sales.projections import ProjectedDirectory, SalesView

C = TypeVar("C")
R = TypeVar("R")

RETRIES = 8
"""Lost races retried: tills of one register share its receipt sequence and shift."""


@dataclass
class SalesRuntime:
    services: ContextServices
    handlers: SalesHandlers
    projection: SalesView
    clock: Clock

    @classmethod
    def build(cls, services: ContextServices, clock: Clock = utcnow) -> SalesRuntime:
        handlers = SalesHandlers(services.store, ProjectedDirectory(), clock)
        return cls(services, handlers, SalesView(), clock)

    async def run(self, handler: Callable[[C], Awaitable[Handled[R]]], command: C) -> Executed[R]:
        """Execute with retries, then wait until `sales.view` shows the change."""
        return await execute(
            handler,
            command,
            retries=RETRIES,
            projection=self.projection,
            on_commit=self.services.wake_relay,
        )

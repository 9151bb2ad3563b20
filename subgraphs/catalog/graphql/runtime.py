"""What catalog resolvers need at run time: the handlers, the projection, the services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from subgraphs.catalog.application import CatalogHandlers
from subgraphs.catalog.projections import CatalogView
from subgraphs.hosting.commands import Executed, Handled, execute
from subgraphs.hosting.services import ContextServices

C = TypeVar("C")
R = TypeVar("R")


@dataclass
class CatalogRuntime:
    services: ContextServices
    handlers: CatalogHandlers
    projection: CatalogView

    @classmethod
    def build(cls, services: ContextServices) -> CatalogRuntime:
        return cls(services, CatalogHandlers(services.store), CatalogView())

    async def run(self, handler: Callable[[C], Awaitable[Handled[R]]], command: C) -> Executed[R]:
        """Execute with retries, then wait until `catalog.view` shows the change."""
        return await execute(
            handler, command, projection=self.projection, on_commit=self.services.wake_relay
        )

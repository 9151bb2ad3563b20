"""The inventory as a `ContextModule`: what a host needs to run it."""

from __future__ import annotations

from collections.abc import Sequence

from beanie import Document
from starlette.types import ASGIApp

from eventbus.projection import Projection
from subgraphs.hosting.app import create_subgraph_app
from subgraphs.hosting.schema import graphql_app
from subgraphs.hosting.services import ContextServices
from subgraphs.inventory.application import (
    InventorySaga,
    ReservationHandlers,
    StoreMovementHandlers,
    StoreSalesReactor,
)
from subgraphs.inventory.graphql import InventoryRuntime, schema
from subgraphs.inventory.projections import (
    DOCUMENTS,
    CatalogProducts,
    KnownProducts,
    KnownStoresProjection,
    Movements,
    StockLevels,
)


class InventoryContext:
    name = "inventory"

    def documents(self) -> Sequence[type[Document]]:
        return DOCUMENTS

    def projections(self, services: ContextServices) -> Sequence[Projection]:
        return [CatalogProducts(), KnownStoresProjection(), StockLevels(), Movements()]

    def reactors(self, services: ContextServices) -> Sequence[Projection]:
        return [
            InventorySaga(ReservationHandlers(services.store, KnownProducts())),
            StoreSalesReactor(StoreMovementHandlers(services.store)),
        ]

    def graphql_app(self, services: ContextServices) -> ASGIApp:
        return graphql_app(schema, InventoryRuntime.build(services))

    def build_app(self, services: ContextServices) -> ASGIApp:
        return create_subgraph_app(self.name, self.graphql_app(services), services, context=self)

    def sdl(self) -> str:
        """What the gateway reads from `_service { sdl }`."""
        result = schema.execute_sync("{ _service { sdl } }")
        assert result.data is not None, result.errors
        sdl: str = result.data["_service"]["sdl"]
        return sdl.rstrip("\n") + "\n"


INVENTORY = InventoryContext()

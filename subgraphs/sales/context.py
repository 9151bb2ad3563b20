"""The sales context as a `ContextModule`: what a host needs to run it.

Projections: `sales.view` (its own sales, shifts, returns, promotions), and what it
needs of other contexts to sell, from their events: `sales.catalog-products`
(pos.catalog), `sales.stores` (pos.stores) and `sales.customers` (pos.customers: who can
be attached to a sale). It has no reactors: inventory and reporting react to its events
(pos.sales), it reacts to nobody's.
"""

from __future__ import annotations

from collections.abc import Sequence

from beanie import Document
from starlette.types import ASGIApp

from eventbus.projection import Projection
from subgraphs.hosting.app import create_subgraph_app
from subgraphs.hosting.schema import graphql_app
from subgraphs.hosting.services import ContextServices
from subgraphs.sales.application import Clock, utcnow
from subgraphs.sales.graphql import SalesRuntime, schema
from subgraphs.sales.projections import (
    DOCUMENTS,
    CatalogProducts,
    KnownCustomers,
    SalesView,
    StoresDirectory,
)


class SalesContext:
    name = "sales"

    def __init__(self, clock: Clock = utcnow) -> None:
        self.clock = clock

    def runtime(self, services: ContextServices) -> SalesRuntime:
        return SalesRuntime.build(services, self.clock)

    def documents(self) -> Sequence[type[Document]]:
        return DOCUMENTS

    def projections(self, services: ContextServices) -> Sequence[Projection]:
        return [SalesView(), CatalogProducts(), StoresDirectory(), KnownCustomers()]

    def reactors(self, services: ContextServices) -> Sequence[Projection]:
        return []

    def graphql_app(self, services: ContextServices) -> ASGIApp:
        return graphql_app(schema, self.runtime(services))

    def build_app(self, services: ContextServices) -> ASGIApp:
        return create_subgraph_app(self.name, self.graphql_app(services), services, context=self)

    def sdl(self) -> str:
        """What the gateway reads from `_service { sdl }`."""
        result = schema.execute_sync("{ _service { sdl } }")
        assert result.data is not None, result.errors
        sdl: str = result.data["_service"]["sdl"]
        return sdl.rstrip("\n") + "\n"


SALES = SalesContext()

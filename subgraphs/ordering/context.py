"""The ordering context as a host sees it (`subgraphs.hosting.ContextModule`)."""

from __future__ import annotations

from collections.abc import Sequence

from beanie import Document
from starlette.types import ASGIApp

from eventbus.projection import Projection
from eventbus.repository import EventSourcedRepository
from subgraphs.hosting.app import create_subgraph_app
from subgraphs.hosting.schema import graphql_app
from subgraphs.hosting.services import ContextServices
from subgraphs.ordering.application import Clock, InventoryReplies, utc_now
from subgraphs.ordering.domain import Order
from subgraphs.ordering.graphql import OrderingRuntime, schema, sdl
from subgraphs.ordering.projections import (
    CustomerDirectoryProjection,
    KnownCustomer,
    KnownProduct,
    OrdersProjection,
    OrderView,
    ProductPrices,
)


class OrderingContext:
    name = "ordering"

    def __init__(self, clock: Clock = utc_now) -> None:
        self.clock = clock

    def documents(self) -> Sequence[type[Document]]:
        return [OrderView, KnownProduct, KnownCustomer]

    def projections(self, services: ContextServices) -> Sequence[Projection]:
        return [OrdersProjection(), ProductPrices(), CustomerDirectoryProjection()]

    def reactors(self, services: ContextServices) -> Sequence[Projection]:
        return [InventoryReplies(EventSourcedRepository(services.store, Order), self.clock)]

    def graphql_app(self, services: ContextServices) -> ASGIApp:
        return graphql_app(schema, OrderingRuntime.build(services, self.clock))

    def build_app(self, services: ContextServices) -> ASGIApp:
        return create_subgraph_app(self.name, self.graphql_app(services), services, context=self)

    def sdl(self) -> str:
        return sdl()


context = OrderingContext()

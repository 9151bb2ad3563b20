"""The customers context as a host sees it (`subgraphs.hosting.ContextModule`)."""

from __future__ import annotations

from collections.abc import Sequence

from beanie import Document
from starlette.types import ASGIApp

from eventbus.projection import Projection
from subgraphs.customers.graphql.schema import build_app, sdl
from subgraphs.customers.projections import CustomerListProjection, CustomerView
from subgraphs.hosting.app import create_subgraph_app
from subgraphs.hosting.services import ContextServices


class CustomersContext:
    name = "customers"

    def documents(self) -> Sequence[type[Document]]:
        return [CustomerView]

    def projections(self, services: ContextServices) -> Sequence[Projection]:
        return [CustomerListProjection()]

    def reactors(self, services: ContextServices) -> Sequence[Projection]:
        return []

    def graphql_app(self, services: ContextServices) -> ASGIApp:
        return build_app(
            services.store,
            CustomerListProjection(),
            services.wake_relay,
            identity=services.gateway_identity,
        )

    def build_app(self, services: ContextServices) -> ASGIApp:
        return create_subgraph_app(self.name, self.graphql_app(services), services, context=self)

    def sdl(self) -> str:
        return sdl()


context = CustomersContext()

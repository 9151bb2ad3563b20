"""The reporting context as a host sees it (`subgraphs.hosting.ContextModule`)."""

from __future__ import annotations

from collections.abc import Sequence

from beanie import Document
from starlette.types import ASGIApp

from eventbus.projection import Projection
from subgraphs.hosting.app import create_subgraph_app
from subgraphs.hosting.schema import graphql_app
from subgraphs.hosting.services import ContextServices
from subgraphs.reporting.graphql import schema, sdl
from subgraphs.reporting.projections import (
    DOCUMENTS,
    SHOP_DOCUMENTS,
    CustomerFacts,
    OrderFacts,
    ProductFacts,
    ReturnFacts,
    SaleFacts,
    ShiftFacts,
    StockFacts,
)


class ReportingContext:
    name = "reporting"

    def documents(self) -> Sequence[type[Document]]:
        return (*DOCUMENTS, *SHOP_DOCUMENTS)

    def projections(self, services: ContextServices) -> Sequence[Projection]:
        return [
            ProductFacts(),
            CustomerFacts(),
            OrderFacts(),
            StockFacts(),
            SaleFacts(),
            ReturnFacts(),
            ShiftFacts(),
        ]

    def reactors(self, services: ContextServices) -> Sequence[Projection]:
        return []

    def graphql_app(self, services: ContextServices) -> ASGIApp:
        return graphql_app(schema, services)

    def build_app(self, services: ContextServices) -> ASGIApp:
        return create_subgraph_app(self.name, self.graphql_app(services), services, context=self)

    def sdl(self) -> str:
        return sdl()


context = ReportingContext()

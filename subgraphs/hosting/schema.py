"""The Strawberry federation schema and ASGI app every Strawberry subgraph uses.

`SubgraphSchema` adds `MapErrors` (see `errors`) and stops Strawberry from logging every
error: a user's bad input is not a server problem, and unexpected ones are logged by the
mapping. `graphql_app` hands resolvers the context's runtime as ``info.context["runtime"]``
and per-request batching loaders as ``info.context["loaders"]`` (see `loaders`); resolvers
read them with `runtime_of` and `loaders_of`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry import federation
from strawberry.asgi import GraphQL
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types import Info
from strawberry.types.execution import ExecutionContext

from subgraphs.hosting.errors import MapErrors
from subgraphs.hosting.loaders import Loaders

FEDERATION_VERSION = "2.5"

RuntimeT = TypeVar("RuntimeT")

# Every subgraph's `DateTime` says the same thing as the customers SDL's: subgraphs that
# describe one shared type differently get an INCONSISTENT_DESCRIPTION composition hint.
DATETIME = dataclasses.replace(
    DateTimeDefinition,
    description="An instant in UTC, as an ISO-8601 string (e.g. 2026-11-29T10:15:00+00:00).",
)


class SubgraphSchema(federation.Schema):
    def __init__(self, query: type, *, extensions: Sequence[Any] = (), **kwargs: Any) -> None:
        kwargs.setdefault("federation_version", FEDERATION_VERSION)
        kwargs.setdefault("scalar_overrides", {datetime: DATETIME})
        super().__init__(query, extensions=[*extensions, MapErrors], **kwargs)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


class _SubgraphGraphQL(GraphQL[dict[str, Any], None]):
    def __init__(self, schema: SubgraphSchema, runtime: object) -> None:
        super().__init__(schema, graphql_ide=None)  # GraphiQL is the gateway's
        self.runtime = runtime

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> dict[str, Any]:
        return {
            "request": request,
            "response": response,
            "runtime": self.runtime,
            "loaders": Loaders(),
        }


def graphql_app(schema: SubgraphSchema, runtime: object) -> GraphQL[dict[str, Any], None]:
    """The ASGI GraphQL app; resolvers find `runtime` at ``info.context["runtime"]``."""
    return _SubgraphGraphQL(schema, runtime)


def runtime_of(info: Info, kind: type[RuntimeT]) -> RuntimeT:
    """The context's runtime, typed as the subgraph's own `kind` (not checked at run time)."""
    runtime: RuntimeT = info.context["runtime"]
    return runtime


def loaders_of(info: Info) -> Loaders:
    """This request's batching loaders."""
    found: Loaders = info.context["loaders"]
    return found

"""The Strawberry federation schema and ASGI app every Strawberry subgraph uses.

`SubgraphSchema` adds `MapErrors` (see `errors`) and stops Strawberry from logging every
error: a user's bad input is not a server problem, and unexpected ones are logged by the
mapping. It also enforces its own SDL's `@authenticated`/`@requiresScopes` on every
operation (`access`). `graphql_app` accepts only calls the gateway signed (`identity`) and
hands resolvers the context's runtime as ``info.context["runtime"]``, the caller's verified
identity as ``info.context["identity"]`` (None: anonymous) and per-request batching loaders
as ``info.context["loaders"]`` (see `loaders`); resolvers read them with `runtime_of`,
`identity_of_info` and `loaders_of`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp
from starlette.websockets import WebSocket
from strawberry import federation
from strawberry.asgi import GraphQL
from strawberry.extensions import SchemaExtension
from strawberry.printer import print_schema
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types import Info
from strawberry.types.execution import ExecutionContext

from subgraphs.hosting.access import AccessRules
from subgraphs.hosting.errors import MapErrors
from subgraphs.hosting.identity import GatewayIdentityGuard, IdentityVerifier, identity_of
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
        super().__init__(query, extensions=[*extensions, EnforceOwnSdl, MapErrors], **kwargs)
        self._access: AccessRules | None = None
        self._access_rule: Any = None

    @property
    def access_rules(self) -> AccessRules:
        """The security directives of this schema's own SDL (read on first use)."""
        if self._access is None:
            self._access = AccessRules.from_sdl(print_schema(self))
            self._access_rule = self._access.rule()
        return self._access

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


class EnforceOwnSdl(SchemaExtension):
    """Adds the schema's own `@authenticated`/`@requiresScopes` check to validation."""

    def on_operation(self) -> Iterator[None]:
        schema = self.execution_context.schema
        if isinstance(schema, SubgraphSchema) and not schema.access_rules.empty:
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                schema._access_rule,
            )
        yield


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
            "identity": identity_of(request),
            "loaders": Loaders(),
        }


def graphql_app(
    schema: SubgraphSchema, runtime: object, *, identity: IdentityVerifier | None = None
) -> ASGIApp:
    """The ASGI GraphQL app; resolvers find `runtime` at ``info.context["runtime"]``.

    Only calls carrying a valid gateway identity get in: `identity` verifies them,
    by default the one of the `ContextServices` that `runtime` is or holds (`.services`)."""
    verifier = identity or verifier_for(runtime)
    return GatewayIdentityGuard(_SubgraphGraphQL(schema, runtime), verifier)


def verifier_for(runtime: object) -> IdentityVerifier:
    """The gateway identity verifier of a context's services (or of the environment)."""
    from subgraphs.hosting.services import ContextServices

    services = runtime if isinstance(runtime, ContextServices) else None
    if services is None:
        services = getattr(runtime, "services", None)
    if isinstance(services, ContextServices):
        return services.gateway_identity
    return IdentityVerifier.from_env()


def runtime_of(info: Info, kind: type[RuntimeT]) -> RuntimeT:
    """The context's runtime, typed as the subgraph's own `kind` (not checked at run time)."""
    runtime: RuntimeT = info.context["runtime"]
    return runtime


def identity_of_info(info: Info) -> dict[str, Any] | None:
    """The caller's verified identity (claims), None for an anonymous caller."""
    found: dict[str, Any] | None = info.context.get("identity")
    return found


def loaders_of(info: Info) -> Loaders:
    """This request's batching loaders."""
    found: Loaders = info.context["loaders"]
    return found

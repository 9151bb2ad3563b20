"""Authentication and authorization in front of the gateway's subscription source."""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import (
    GraphQLError,
    GraphQLSchema,
    OperationType,
    get_operation_ast,
    parse,
    validate,
)

from supergraph.subscriptions.source import (
    ExecutionResult,
    OperationErrors,
    OperationRequest,
    SubscriptionSource,
)

from ..authentication import ANONYMOUS, AuthenticationError, JwtAuthenticator
from .authorizer import (
    Authorizer,
)


class SubscriptionGuard:
    """Authentication and authorization in front of the gateway's subscription source.

    A bad token is refused (`UNAUTHENTICATED`) when the stream opens. A subscription that
    selects anything the request may not see is refused as a whole, with one
    `UNAUTHORIZED_FIELD_OR_TYPE` error per removed field (Apollo Router's reject mode):
    its events are resolved long after this check and forwarded subscriptions go straight
    to their subgraph, so there is no single place to filter each event. Queries and
    mutations sent over the WebSocket take the HTTP pipeline, which filters them.
    In `dry_run` mode the subscription is opened anyway and the verdict only logged. The
    refusal always carries its errors (a stream that does not open has no `data` to carry
    instead); `ErrorReporting.log` decides whether the paths are logged.
    """

    def __init__(
        self,
        inner: SubscriptionSource,
        schema: GraphQLSchema,
        authenticator: JwtAuthenticator | None,
        authorizer: Authorizer | None,
    ) -> None:
        self.inner = inner
        self.schema = schema
        self.authenticator = authenticator
        self.authorizer = authorizer

    async def open(self, request: OperationRequest) -> AsyncIterator[ExecutionResult]:
        identity = ANONYMOUS
        if self.authenticator is not None:
            try:
                identity = await self.authenticator.authenticate(request.headers)
            except AuthenticationError as exc:
                raise OperationErrors(
                    [{"message": str(exc), "extensions": {"code": "UNAUTHENTICATED"}}]
                ) from None
        if self.authorizer is not None and request.query:
            try:
                document = parse(request.query)
            except GraphQLError:
                document = None  # the inner source reports it
            if document is not None and not validate(self.schema, document):
                op = get_operation_ast(document, request.operation_name)
                if op is not None and op.operation == OperationType.SUBSCRIPTION:
                    filtered = self.authorizer.authorize(
                        request.query, request.operation_name, identity, request.headers
                    )
                    if filtered is not None:
                        errors = filtered.errors()
                        self.authorizer.reporting.logged(errors)
                        if self.authorizer.mode != "dry_run":
                            raise OperationErrors(errors)
        return await self.inner.open(request)

"""What the WebSocket and SSE transports drive: operation in, stream of results out.

Keeps the protocols testable without a gateway: any `SubscriptionSource` will do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

ExecutionResult = dict[str, Any]
"""A GraphQL response body: ``{"data": ..., "errors": [...], "extensions": {...}}``."""


@dataclass(frozen=True)
class OperationRequest:
    """One operation from a client, plus what the connection knows about the client."""

    query: str
    variables: Mapping[str, Any] | None = None
    operation_name: str | None = None
    extensions: Mapping[str, Any] | None = None
    connection_params: Mapping[str, Any] | None = None
    """graphql-transport-ws: the `connection_init` payload (None over SSE)."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """The HTTP request's (or WebSocket upgrade's) headers, lower-cased names."""
    peer: str | None = None
    """The client's address (host) as the server saw it, for per-client limits."""


class OperationErrors(Exception):
    """The operation cannot start (syntax, validation, unknown operation, forbidden).

    `errors` are GraphQL formatted errors (``{"message", "extensions": {"code"}}``).
    """

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(str(e.get("message")) for e in errors))
        self.errors = errors


def operation_error(message: str, code: str = "BAD_USER_INPUT") -> OperationErrors:
    return OperationErrors([{"message": message, "extensions": {"code": code}}])


class SubscriptionSource(Protocol):
    async def open(self, request: OperationRequest) -> AsyncIterator[ExecutionResult]:
        """Start the operation: an iterator of results, ended when the stream ends.

        Raises `OperationErrors` (before returning) when the operation cannot start.
        Closing the iterator (``aclose``) stops the operation and frees its resources.
        """
        ...

"""Query batching (Apollo Router's `batching`, mode `batch_http_link`): one POST whose JSON body
is an array of GraphQL requests, answered by a JSON array of responses in the same order.

Apollo Client's `BatchHttpLink` sends these. Each entry runs exactly as if it had been POSTed
alone (same headers, so the same identity and rights), all entries at once; an entry that is
not a well-formed request, or that is a subscription, gets its own error in its place and the
others still run. Only the batch as a whole can fail: empty (400), or larger than the maximum
(422 `BATCH_LIMIT_EXCEEDED`, the status and error shape Apollo Router answers with:
`{"message": "Invalid GraphQL request", "extensions": {"details": ..., "code": ...}}`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from supergraph.subscriptions import is_subscription

from ..execution.errors import error as error_entry
from ..gateway import GatewayRequest, Pipeline

log = logging.getLogger(__name__)

DEFAULT_MAX_SIZE = 32

Decoder = Callable[[Mapping[str, Any]], GatewayRequest | str]
"""Turns one entry into a request, or says (a message) why it is not one."""


@dataclass(frozen=True)
class Batching:
    """Batching is on; a batch may hold at most `max_size` requests."""

    max_size: int = DEFAULT_MAX_SIZE

    def __post_init__(self) -> None:
        if isinstance(self.max_size, bool) or self.max_size < 1:
            raise ValueError(f"the maximum batch size must be at least 1, got {self.max_size!r}")

    def refusal(self, size: int) -> tuple[int, dict[str, Any]] | None:
        """The HTTP status and error that refuse a whole batch of `size` entries, or None
        when it may run."""
        if size == 0:
            return 400, error_entry(
                "The batch is empty: send at least one GraphQL request.", "BAD_REQUEST"
            )
        if size > self.max_size:
            details = (
                f"Batch limits exceeded: the batch has {size} entries, but the maximum batch "
                f"size is {self.max_size}; send fewer requests per batch."
            )
            return 422, {
                "message": "Invalid GraphQL request",
                "extensions": {"details": details, "code": "BATCH_LIMIT_EXCEEDED"},
            }
        return None


NOT_ENABLED = {
    "message": "Query batching is not enabled on this gateway: send one GraphQL request "
    "(a JSON object) per POST, or start the gateway with batching on (--batching).",
    "extensions": {"code": "BATCHING_NOT_ENABLED"},
}


async def execute_batch(
    gateway: Pipeline,
    entries: Sequence[Any],
    decode: Decoder,
    template: GatewayRequest,
) -> list[dict[str, Any]]:
    """One response body per entry, in order. `template` carries what the HTTP request says
    for every entry (headers, query-plan debug flag)."""

    async def one(entry: Any) -> dict[str, Any]:
        if not isinstance(entry, dict):
            return {
                "errors": [error_entry("Each batch entry must be a JSON object.", "BAD_REQUEST")]
            }
        decoded = decode(entry)
        if isinstance(decoded, str):
            return {"errors": [error_entry(decoded, "BAD_REQUEST")]}
        query = decoded.query
        if query and "subscription" in query and is_subscription(query, decoded.operation_name):
            return {
                "errors": [
                    error_entry(
                        "Subscriptions cannot be sent in a batch: send this one on its own "
                        "(WebSocket, SSE or multipart HTTP).",
                        "SUBSCRIPTION_NOT_SUPPORTED",
                    )
                ]
            }
        request = replace(
            template,
            query=query,
            variables=decoded.variables,
            operation_name=decoded.operation_name,
            extensions=decoded.extensions,
        )
        try:
            return (await gateway.execute(request)).body
        except Exception:
            log.exception("unexpected gateway failure in a batch entry")
            return {"errors": [error_entry("Internal gateway error.", "INTERNAL_SERVER_ERROR")]}

    return list(await asyncio.gather(*(one(entry) for entry in entries)))

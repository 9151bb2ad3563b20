"""The hook through which the gateway runtime resolves a subscription event.

The event stream only knows an entity reference; the runtime's planner turns it into the
client's selection (entity fetches across subgraphs), exactly as if the subscription
field had returned that entity.
"""

from __future__ import annotations

from typing import Any, Protocol

from graphql import DocumentNode


class SubscriptionResolver(Protocol):
    async def resolve(
        self,
        entity_typename: str,
        representation: dict[str, Any],
        document: DocumentNode,
        variables: dict[str, Any],
        operation_name: str | None,
        field_alias: str,
        min_version: int | None,
    ) -> dict[str, Any]:
        """One execution result for the subscription operation, for one event.

        `document` is the client's (already validated) subscription document; its one
        root field, under the response key `field_alias`, resolves to the entity
        `representation` (``{"__typename": entity_typename, <key fields>}``). Plan the
        root field's selection set as entity fetches (`_entities`) starting from that
        representation, and return ``{"data": {field_alias: {...}}, "errors": [...]}``
        with the usual null propagation (``{"data": null, ...}`` when the non-null root
        field fails). Omit "errors" when there are none.

        `min_version` is the event's stream version: the caller already checks freshness
        through the entity's version field (it adds that field to the document under an
        alias of its own and retries while it is older), so implementations may ignore
        it, or use it to wait on the subgraph's side.
        """
        ...

"""Subscriptions whose arguments name an entity are checked once when they start.

`orderStatusChanged(orderId: "nope")` used to be accepted and never fire, while
`order(id: "nope")` answers BAD_USER_INPUT; now the owning subgraph is asked once (the
entity resolved by its key, selecting only its version) and its BAD_USER_INPUT refuses
the subscription before the feed is joined.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from graphql import DocumentNode, print_ast
from subscription_doubles import api_schema

from eventbus.transports.inprocess import InProcessTransport
from supergraph.subscriptions import (
    OperationErrors,
    OperationRequest,
    SupergraphSubscriptions,
    live_subscriptions,
)


class CheckingResolver:
    """Like the ordering subgraph: an id not starting with "o-" is BAD_USER_INPUT, a
    well-formed one not in the read model is null."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, Any], str]] = []

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
        self.calls.append((representation, print_ast(document)))
        if str(representation.get("id", "")).startswith("o-"):
            return {"data": None}
        message = f"id {representation.get('id')!r} is not a valid order id"
        error = {
            "message": message,
            "path": [field_alias],
            "extensions": {"code": "BAD_USER_INPUT", "serviceName": "ordering"},
        }
        return {"data": None, "errors": [error]}


@pytest.fixture
async def live(supergraph_sdl: str) -> AsyncIterator[tuple[SupergraphSubscriptions, Any]]:
    resolver = CheckingResolver()
    live = live_subscriptions(
        supergraph_sdl, api_schema(supergraph_sdl), InProcessTransport(), resolver
    )
    await live.feed.start()
    yield live, resolver
    await live.feed.stop()


async def test_an_invalid_entity_id_is_refused_with_the_subgraphs_code(live: Any) -> None:
    subscriptions, resolver = live
    with pytest.raises(OperationErrors) as refused:
        await subscriptions.open(
            OperationRequest('subscription { orderStatusChanged(orderId: "nope") { status } }')
        )
    (error,) = refused.value.errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "not a valid order id" in error["message"]
    assert "path" not in error  # nothing ran: the error is the operation's
    assert subscriptions.feed.subscriber_count == 0  # the feed was never joined
    # the check selected only the version, under the gateway's private alias
    ((representation, document),) = resolver.calls
    assert representation == {"__typename": "Order", "id": "nope"}
    assert "_posEventSourceVersion: version" in document
    assert "status" not in document


async def test_the_check_uses_variables_too(live: Any) -> None:
    subscriptions, _ = live
    with pytest.raises(OperationErrors) as refused:
        await subscriptions.open(
            OperationRequest(
                "subscription S($id: ID!) { changed: orderStatusChanged(orderId: $id) { id } }",
                variables={"id": "nope"},
            )
        )
    assert refused.value.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_valid_id_starts_even_when_the_entity_is_not_there_yet(live: Any) -> None:
    subscriptions, resolver = live
    stream = await subscriptions.open(
        OperationRequest('subscription { orderStatusChanged(orderId: "o-404") { status } }')
    )
    assert len(resolver.calls) == 1  # checked once (null: not there yet, read model lag)
    await stream.aclose()


async def test_arguments_that_do_not_name_the_entity_are_not_checked(live: Any) -> None:
    subscriptions, resolver = live
    stream = await subscriptions.open(
        OperationRequest('subscription { orderUpdates(customerId: "nope") { id } }')
    )
    assert resolver.calls == []  # customerId filters on data.customerId, not the key
    await stream.aclose()

"""Subscription events: an entity reference resolved into the client's selection."""

from __future__ import annotations

from graphql import parse


async def test_event_entity_resolved_through_entity_fetches(shop) -> None:
    gateway = shop.servers[0].app.state.gateway
    document = parse(
        "subscription S($c: Currency = EUR) { added: reviewAdded { id body "
        "author { name } product { name price(currency: $c) inStock } } }"
    )
    result = await gateway.resolve(
        "Review", {"__typename": "Review", "id": "r1"}, document, {}, "S", "added", None
    )
    assert result == {
        "data": {
            "added": {
                "id": "r1",
                "body": "Love it!",
                "author": {"name": "Ada Lovelace"},
                "product": {"name": "Table", "price": 449.5, "inStock": True},
            }
        }
    }
    # the plan is cached per document: a second event costs only its fetches
    again = await gateway.resolve(
        "Review", {"__typename": "Review", "id": "r3"}, document, {"c": "USD"}, "S", "added", 7
    )
    assert again["data"]["added"]["product"] == {"name": "Couch", "price": 1299.0, "inStock": True}
    assert len(gateway.events.plans) == 1


async def test_event_for_a_missing_entity_nulls_the_non_null_root(shop) -> None:
    gateway = shop.servers[0].app.state.gateway
    document = parse("subscription { reviewAdded { body } }")
    result = await gateway.resolve(
        "Review", {"__typename": "Review", "id": "nope"}, document, {}, None, "reviewAdded", None
    )
    assert result == {
        "data": None,
        "errors": [
            {
                "message": "Cannot return null for non-nullable field Review.body.",
                "path": ["reviewAdded", "body"],
                "extensions": {"code": "INVALID_GRAPHQL"},
            }
        ],
    }


async def test_subscription_over_http_post_is_refused_clearly(shop) -> None:
    result = await shop.query("subscription { reviewAdded { body } }")
    assert result["errors"][0]["extensions"]["code"] == "SUBSCRIPTION_NOT_SUPPORTED"

"""@provides and @external: a provided field is read where it is provided, with no fetch."""

from __future__ import annotations


async def test_provided_field_needs_no_entity_fetch(shop) -> None:
    result = await shop.query("{ latestReviews { author { username } } }")
    assert result == {
        "data": {
            "latestReviews": [
                {"author": {"username": "ada"}},
                {"author": {"username": "alan"}},
                {"author": {"username": "ada"}},
            ]
        }
    }
    assert shop.requests_to("accounts") == []


async def test_external_field_outside_provides_comes_from_its_owner(shop) -> None:
    result = await shop.query("{ me { reviews { author { name } } } }")
    assert result == {
        "data": {
            "me": {
                "reviews": [
                    {"author": {"name": "Ada Lovelace"}},
                    {"author": {"name": "Ada Lovelace"}},
                ]
            }
        }
    }
    # accounts twice: the root field, then the authors (not provided on User.reviews)
    assert len(shop.requests_to("accounts")) == 2


async def test_external_dependency_via_requires(shop) -> None:
    result = await shop.query('{ product(upc: "2") { shippingEstimate } }')
    assert result == {"data": {"product": {"shippingEstimate": 100}}}
    reps = shop.requests_to("inventory")[0]["variables"]["representations"]
    assert reps == [{"__typename": "Product", "upc": "2", "weight": 1000}]

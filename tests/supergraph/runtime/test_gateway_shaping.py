"""Response shaping: aliases, fragments, __typename, variables, @include/@skip."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("data_path")  # Python path and compiled core


async def test_aliases_and_same_field_with_different_arguments(shop) -> None:
    result = await shop.query(
        '{ p: product(upc: "1") { usd: price eur: price(currency: EUR) title: name } '
        'q: product(upc: "3") { name } }'
    )
    assert result == {
        "data": {
            "p": {"usd": 899.0, "eur": 449.5, "title": "Table"},
            "q": {"name": "Chair"},
        }
    }


async def test_alias_named_like_another_field(shop) -> None:
    result = await shop.query('{ product(upc: "2") { name: upc upc: name } }')
    assert result == {"data": {"product": {"name": "2", "upc": "Couch"}}}


async def test_named_inline_and_nested_fragments(shop) -> None:
    result = await shop.query(
        """
        query { product(upc: "1") { ...P } }
        fragment P on Product { upc ... on Product { name ...R } }
        fragment R on Product { reviews { ... { body } } }
        """
    )
    assert result == {
        "data": {
            "product": {
                "upc": "1",
                "name": "Table",
                "reviews": [{"body": "Love it!"}, {"body": "Too expensive."}],
            }
        }
    }


async def test_typename_everywhere(shop) -> None:
    result = await shop.query(
        '{ __typename product(upc: "1") { __typename kind: __typename topReview { __typename } } }'
    )
    assert result == {
        "data": {
            "__typename": "Query",
            "product": {
                "__typename": "Product",
                "kind": "Product",
                "topReview": {"__typename": "Review"},
            },
        }
    }


async def test_variables_and_defaults(shop) -> None:
    query = (
        "query($n: Int = 1, $c: Currency = EUR) { topProducts(first: $n) { price(currency: $c) } }"
    )
    assert await shop.query(query) == {"data": {"topProducts": [{"price": 449.5}]}}
    assert await shop.query(query, {"n": 2, "c": "USD"}) == {
        "data": {"topProducts": [{"price": 899.0}, {"price": 1299.0}]}
    }


async def test_include_and_skip_on_fields_and_fragments(shop) -> None:
    query = """
    query($details: Boolean!, $brief: Boolean!) {
      product(upc: "1") {
        name @skip(if: $brief)
        inStock @include(if: $details)
        ... on Product @include(if: $details) { upc }
        ...R @skip(if: $brief)
        weight @include(if: false)
      }
    }
    fragment R on Product { topReview { body } }
    """
    full = await shop.query(query, {"details": True, "brief": False})
    assert full == {
        "data": {
            "product": {
                "name": "Table",
                "inStock": True,
                "upc": "1",
                "topReview": {"body": "Love it!"},
            }
        }
    }
    shop.reset_counts()
    brief = await shop.query(query, {"details": False, "brief": True})
    assert brief == {"data": {"product": {}}}
    # the entity fetches behind skipped fields are not sent at all
    assert shop.requests_to("inventory") == []
    assert shop.requests_to("reviews") == []

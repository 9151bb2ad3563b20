"""`@cacheable` is composed and validated like `@eventSource`: `pos compose` names the
subgraph and the coordinate of a wrong use; the gateway reads the rules back."""

from __future__ import annotations

from pathlib import Path

import pytest

from supergraph.caching import cache_policy
from supergraph.composition import compose
from supergraph.composition.subgraph import Subgraph

CASE = Path(__file__).parents[1] / "fixtures" / "planning" / "entity_cache"
PRICES = (CASE / "prices.graphql").read_text()
PRODUCTS = (CASE / "products.graphql").read_text()


def composed(prices: str, name: str = "prices") -> list[str]:
    result = compose(
        [
            Subgraph("products", "http://products.invalid/graphql", PRODUCTS),
            Subgraph(name, f"http://{name}.invalid/graphql", prices),
        ]
    )
    return [f"{e.code}: {e.message}" for e in result.errors]


def test_the_fixture_composes_into_the_rules_the_gateway_reads() -> None:
    assert composed(PRICES) == []
    policy = cache_policy((CASE / "supergraph.graphql").read_text())
    product = policy.entities[("prices", "Product")]
    assert product.topic == "shop.prices" and product.max_age == 60
    assert [m.name for m in product.key] == ["id"] and product.scope == "PRIVATE"
    assert policy.entities[("prices", "Shelf")].public
    assert policy.roots[("prices", "cheapest")].events == {"shop.prices.PriceChanged.v1"}
    assert policy.topics == ["shop.prices"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('subgraph: "prices", maxAge: 60, topic', 'subgraph: "catalog", maxAge: 60, topic',
         "subgraph is 'catalog' but this is subgraph 'prices'"),
        ('key: ["id=subject"]', 'key: ["sku=subject"]', "key maps ['sku'] but the @key is 'id'"),
        ('key: ["id=subject"]', 'key: ["id=nowhere"]', "unknown envelope path 'nowhere'"),
        ('key: ["id=subject"]', "key: []", "events need `key`"),
        ('maxAge: 60, scope', 'maxAge: 0, scope', "positive number of seconds"),
        ('scope: "PUBLIC"', 'scope: "EVERYONE"', "scope 'EVERYONE'"),
        ('topic: "shop.prices", events: ["shop.prices.PriceChanged.v1"])',
         'events: ["shop.prices.PriceChanged.v1"])', "events need the `topic`"),
        ('  @composeDirective(name: "@cacheable")\n', "", "add @composeDirective"),
    ],
)  # fmt: skip
def test_a_wrong_use_fails_composition_naming_it(old: str, new: str, message: str) -> None:
    assert old in PRICES
    errors = composed(PRICES.replace(old, new, 1))
    assert errors and all(e.startswith("CACHEABLE_INVALID: [prices]") for e in errors), errors
    assert any(message in e for e in errors), errors


def test_only_entities_and_root_fields_can_be_cacheable() -> None:
    sdl = PRICES.replace('type Shelf @key(fields: "code")', "type Shelf", 1)
    assert any("Shelf is not an entity" in e for e in composed(sdl))
    moved = PRICES.replace(
        "  price: Int!", '  price: Int! @cacheable(subgraph: "prices", maxAge: 5)', 1
    )
    assert any("fields of Query only" in e for e in composed(moved))

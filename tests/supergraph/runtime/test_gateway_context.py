"""@context / @fromContext: the gateway fills an argument from the nearest ancestor that
sets the context, per entity, and never shows that argument to clients."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fixture_graphs import supergraph_sdl
from gateway_harness import RunningGraph, run_graph

from supergraph.runtime import load_supergraph
from supergraph.runtime.supergraph_schema import SupergraphError

pytestmark = pytest.mark.usefixtures("data_path")  # Python path and compiled core


@pytest.fixture
async def shops() -> AsyncIterator[RunningGraph]:
    async with run_graph("context") as graph:
        yield graph


async def test_price_reads_the_currency_of_the_shop_above_it(shops: RunningGraph) -> None:
    result = await shops.query("{ shops { name products { id price } } }")
    assert result == {
        "data": {
            "shops": [
                {
                    "name": "Amsterdam",
                    "products": [
                        {"id": "p1", "price": "9.00 EUR"},
                        {"id": "p2", "price": "18.00 EUR"},
                    ],
                },
                {
                    "name": "Boston",
                    "products": [
                        {"id": "p2", "price": "20.00 USD"},
                        {"id": "p3", "price": "30.00 USD"},
                    ],
                },
            ]
        }
    }


async def test_one_entity_under_two_contexts_is_fetched_once_per_value(
    shops: RunningGraph,
) -> None:
    await shops.query("{ shops { products { price } } }")
    entity_calls = [r for r in shops.requests_to("shops") if "_entities" in r["query"]]
    sent = sorted(
        (
            sorted(v for k, v in r["variables"].items() if k != "representations"),
            [rep["id"] for rep in r["variables"]["representations"]],
        )
        for r in entity_calls
    )
    # p2 sits in both shops: it is asked for once with EUR and once with USD
    assert sent == [(["EUR"], ["p1", "p2"]), (["USD"], ["p2", "p3"])]


async def test_client_arguments_and_contextual_ones_combine(shops: RunningGraph) -> None:
    result = await shops.query(
        "query($c: Boolean) { shops { products { id p: price(cents: $c) price } } }", {"c": True}
    )
    first = result["data"]["shops"][0]["products"][0]
    assert first == {"id": "p1", "p": "900 EUR", "price": "9.00 EUR"}


async def test_context_selection_resolved_by_another_subgraph(shops: RunningGraph) -> None:
    # `title` lives in catalog and reads Shop.locale.language (catalog), while the shops and
    # their products come from the shops subgraph
    result = await shops.query("{ shops { id products { title } featured { title price } } }")
    assert result == {
        "data": {
            "shops": [
                {"id": "s1", "products": [{"title": "Fiets"}, {"title": "Lamp"}], "featured": None},
                {
                    "id": "s2",
                    "products": [{"title": "Lamp"}, {"title": "Chair"}],
                    "featured": {"title": "Chair", "price": "30.00 USD"},
                },
            ]
        }
    }


async def test_contextual_argument_is_not_part_of_the_api(shops: RunningGraph) -> None:
    result = await shops.query('{ shops { products { price(currency: "USD") } } }')
    assert result.get("data") is None
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    schema = await shops.query('{ __type(name: "Product") { fields { name args { name } } } }')
    fields = {f["name"]: [a["name"] for a in f["args"]] for f in schema["data"]["__type"]["fields"]}
    assert fields == {"id": [], "title": [], "price": ["cents"]}
    directives = await shops.query("{ __schema { directives { name } } }")
    names = {d["name"] for d in directives["data"]["__schema"]["directives"]}
    assert not {"context", "context__fromContext"} & names


def test_a_supergraph_needing_an_unknown_security_feature_is_refused() -> None:
    sdl = supergraph_sdl("context").replace(
        'url: "https://specs.apollo.dev/context/v0.1"', 'url: "https://specs.apollo.dev/fence/v0.1"'
    )
    with pytest.raises(SupergraphError, match=r"fence/v0\.1 is for: SECURITY but is unsupported"):
        load_supergraph(sdl)

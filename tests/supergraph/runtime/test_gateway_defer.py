"""@defer over HTTP: multipart/mixed incremental delivery (Apollo's deferSpec=20220824)."""

from __future__ import annotations

from typing import Any

import orjson
from gateway_harness import RunningGraph

MULTIPART_ACCEPT = "multipart/mixed;deferSpec=20220824, application/json"
DEFERRED = '{ topProducts { upc name ... @defer(label: "stock") { inStock shippingEstimate } } }'


def parts(body: bytes) -> list[dict[str, Any]]:
    chunks = body.split(b"\r\n--graphql")
    assert chunks[-1].strip() == b"--", "the stream ends with the closing boundary"
    out = []
    for chunk in chunks[1:-1]:
        head, _, payload = chunk.partition(b"\r\n\r\n")
        assert b"content-type: application/json" in head
        out.append(orjson.loads(payload))
    return out


async def post(graph: RunningGraph, query: str, accept: str) -> Any:
    return await graph.client.post(
        graph.gateway_url,
        content=orjson.dumps({"query": query}),
        headers={"content-type": "application/json", "accept": accept},
    )


async def test_deferred_fragment_arrives_after_the_initial_payload(shop: RunningGraph) -> None:
    response = await post(shop, DEFERRED, MULTIPART_ACCEPT)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("multipart/mixed")
    first, second = parts(response.content)
    assert first == {
        "data": {
            "topProducts": [
                {"upc": "1", "name": "Table"},
                {"upc": "2", "name": "Couch"},
                {"upc": "3", "name": "Chair"},
            ]
        },
        "hasNext": True,
    }
    assert second["hasNext"] is False
    whole = (await shop.query("{ topProducts { inStock shippingEstimate } }"))["data"]
    assert second["incremental"] == [
        {"data": product, "path": ["topProducts", i], "label": "stock"}
        for i, product in enumerate(whole["topProducts"])
    ]


async def test_nested_and_named_deferred_fragments(shop: RunningGraph) -> None:
    query = (
        '{ product(upc: "1") { name ...Reviews @defer } } '
        'fragment Reviews on Product { reviews { body ... @defer(label: "who") '
        "{ author { username } } } }"
    )
    first, *rest = parts((await post(shop, query, MULTIPART_ACCEPT)).content)
    assert first == {"data": {"product": {"name": "Table"}}, "hasNext": True}
    # the nested fragment is fetched after the one enclosing it: its own, later payload
    assert [p["hasNext"] for p in rest] == [True] * (len(rest) - 1) + [False]
    entries = [e for p in rest for e in p["incremental"]]
    assert entries[0] == {
        "data": {"reviews": [{"body": "Love it!"}, {"body": "Too expensive."}]},
        "path": ["product"],
    }
    assert entries[1:] == [
        {
            "data": {"author": {"username": "ada"}},
            "path": ["product", "reviews", 0],
            "label": "who",
        },
        {
            "data": {"author": {"username": "alan"}},
            "path": ["product", "reviews", 1],
            "label": "who",
        },
    ]


async def test_clients_without_multipart_get_everything_at_once(shop: RunningGraph) -> None:
    response = await post(shop, DEFERRED, "application/json")
    assert response.headers["content-type"].startswith("application/json")
    products = response.json()["data"]["topProducts"]
    assert set(products[0]) == {"upc", "name", "inStock", "shippingEstimate"}


async def test_defer_if_false_is_not_deferred(shop: RunningGraph) -> None:
    query = "{ topProducts { name ... @defer(if: false) { inStock } } }"
    response = await post(shop, query, MULTIPART_ACCEPT)
    assert response.headers["content-type"].startswith("application/json")
    assert set(response.json()["data"]["topProducts"][0]) == {"name", "inStock"}


async def test_defer_is_in_the_api_schema(shop: RunningGraph) -> None:
    result = await shop.query("{ __schema { directives { name args { name } } } }")
    directives = {
        d["name"]: [a["name"] for a in d["args"]] for d in result["data"]["__schema"]["directives"]
    }
    assert directives["defer"] == ["label", "if"]


async def test_variables_and_fragments_only_the_deferred_part_uses(shop: RunningGraph) -> None:
    query = (
        'query($c: Currency) { product(upc: "1") { ...Outer } } '
        'fragment Outer on Product { name ...Inner @defer(label: "price") } '
        "fragment Inner on Product { price(currency: $c) }"
    )
    response = await shop.client.post(
        shop.gateway_url,
        content=orjson.dumps({"query": query, "variables": {"c": "EUR"}}),
        headers={"content-type": "application/json", "accept": MULTIPART_ACCEPT},
    )
    first, second = parts(response.content)
    assert first == {"data": {"product": {"name": "Table"}}, "hasNext": True}
    assert second == {
        "hasNext": False,
        "incremental": [{"data": {"price": 449.5}, "path": ["product"], "label": "price"}],
    }


async def test_defer_in_a_mutation_runs_the_root_fields_in_order_and_defers_below(
    shop: RunningGraph,
) -> None:
    mutation = (
        'mutation { first: renameUser(id: "u3", username: "ada3") { username } '
        'review: addReview(upc: "3", body: "Solid") { body '
        '... @defer(label: "more") { product { name } } } '
        'second: renameUser(id: "u3", username: "grace") { username } }'
    )
    response = await post(shop, mutation, MULTIPART_ACCEPT)
    assert response.headers["content-type"].startswith("multipart/mixed")
    first, second = parts(response.content)
    assert first == {
        "data": {
            "first": {"username": "ada3"},
            "review": {"body": "Solid"},
            "second": {"username": "grace"},
        },
        "hasNext": True,
    }
    assert second == {
        "hasNext": False,
        "incremental": [
            {"data": {"product": {"name": "Chair"}}, "path": ["review"], "label": "more"}
        ],
    }
    accounts = [r["query"] for r in shop.requests_to("accounts")]
    assert "ada3" in accounts[0] and "grace" in accounts[1]  # still one after the other

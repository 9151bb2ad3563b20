"""@defer planned once: the primary fetches, then each deferred fragment's own fetches,
delivered in its own payload as soon as they are done (what subgraphs receive, and when
each multipart part arrives)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
from gateway_harness import RunningGraph
from test_gateway_defer import MULTIPART_ACCEPT, parts, post


def queries(graph: RunningGraph, subgraph: str) -> list[str]:
    return [r["query"] for r in graph.requests_to(subgraph)]


async def timed_parts(
    graph: RunningGraph, query: str, variables: dict[str, Any] | None = None
) -> list[tuple[float, dict[str, Any]]]:
    """Each multipart part with the seconds after the request it was fully received."""
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    start = time.monotonic()
    received = b""
    arrivals: list[tuple[float, int]] = []
    async with graph.client.stream(
        "POST",
        graph.gateway_url,
        content=orjson.dumps(body),
        headers={"content-type": "application/json", "accept": MULTIPART_ACCEPT},
    ) as response:
        assert response.headers["content-type"].startswith("multipart/mixed")
        async for chunk in response.aiter_bytes():
            received += chunk
            arrivals.append((time.monotonic() - start, len(received)))
    # part i ends where delimiter i + 1 starts (what precedes delimiter 0 is no part)
    ends, at = [], -1
    while (at := received.find(b"\r\n--graphql", at + 1)) != -1:
        ends.append(at)
    return [
        (next(t for t, size in arrivals if size >= ends[i + 1]), payload)
        for i, payload in enumerate(parts(received))
    ]


async def test_non_deferred_fields_are_fetched_once(shop: RunningGraph) -> None:
    shop.reset_counts()
    query = '{ topProducts { upc name ... @defer(label: "stock") { inStock shippingEstimate } } }'
    first, second = parts((await post(shop, query, MULTIPART_ACCEPT)).content)
    assert first["data"]["topProducts"][0] == {"upc": "1", "name": "Table"}
    assert [e["label"] for e in second["incremental"]] == ["stock"] * 3
    # one request for the products (not one per half of the operation), none for the
    # deferred fields there; the deferred fields come from inventory alone
    products = queries(shop, "products")
    assert len(products) == 1
    assert "inStock" not in products[0] and "shippingEstimate" not in products[0]
    assert len(queries(shop, "inventory")) == 1


async def test_entity_fragment_is_an_entities_fetch_from_the_primary_keys(
    shop: RunningGraph,
) -> None:
    shop.reset_counts()
    query = '{ product(upc: "2") { name ... @defer { category { name } inStock } } }'
    first, second = parts((await post(shop, query, MULTIPART_ACCEPT)).content)
    assert first == {"data": {"product": {"name": "Couch"}}, "hasNext": True}
    assert second == {
        "hasNext": False,
        "incremental": [
            {"data": {"category": {"name": "Furniture"}, "inStock": True}, "path": ["product"]}
        ],
    }
    primary, deferred = shop.requests_to("products")
    # the primary fetch reads the key; the deferred one (same subgraph) goes by that key
    assert "upc" in primary["query"] and "category" not in primary["query"]
    assert "_entities" in deferred["query"] and "category" in deferred["query"]
    assert deferred["variables"]["representations"] == [{"__typename": "Product", "upc": "2"}]
    (inventory,) = shop.requests_to("inventory")
    assert "_entities" in inventory["query"]
    assert [r["upc"] for r in inventory["variables"]["representations"]] == ["2"]


async def test_fast_fragment_arrives_before_the_slow_one(shop: RunningGraph) -> None:
    shop.subgraphs["inventory"].delay = 0.6
    try:
        query = (
            '{ product(upc: "1") { name ... @defer(label: "slow") { inStock } '
            '... @defer(label: "fast") { reviews { body } } } }'
        )
        (t0, first), (t1, fast), (t2, slow) = await timed_parts(shop, query)
    finally:
        shop.subgraphs["inventory"].delay = 0.0
    assert first == {"data": {"product": {"name": "Table"}}, "hasNext": True}
    assert fast == {
        "hasNext": True,
        "incremental": [
            {
                "data": {"reviews": [{"body": "Love it!"}, {"body": "Too expensive."}]},
                "path": ["product"],
                "label": "fast",
            }
        ],
    }
    assert slow == {
        "hasNext": False,
        "incremental": [{"data": {"inStock": True}, "path": ["product"], "label": "slow"}],
    }
    # the fast fragment is not held back until the slow subgraph answers: it came in a part
    # of its own, before the slow one (a held-back fragment would share the slow one's part;
    # no bound on the gap, which a loaded machine stretches)
    assert t0 <= t1 <= t2 and t2 >= 0.6


async def test_fragment_on_a_value_type_comes_with_its_parent(shop: RunningGraph) -> None:
    """`Category` has no key: its deferred field is fetched with it, delivered later."""
    shop.reset_counts()
    query = '{ product(upc: "1") { category { id ... @defer(label: "cat") { name } } } }'
    first, second = parts((await post(shop, query, MULTIPART_ACCEPT)).content)
    assert first == {"data": {"product": {"category": {"id": "c1"}}}, "hasNext": True}
    assert second == {
        "hasNext": False,
        "incremental": [
            {"data": {"name": "Furniture"}, "path": ["product", "category"], "label": "cat"}
        ],
    }
    assert len(queries(shop, "products")) == 1


async def test_deferred_root_field_has_its_own_root_fetch(shop: RunningGraph) -> None:
    shop.reset_counts()
    query = '{ product(upc: "1") { name } ... @defer(label: "latest") { latestReviews { body } } }'
    first, second = parts((await post(shop, query, MULTIPART_ACCEPT)).content)
    assert first == {"data": {"product": {"name": "Table"}}, "hasNext": True}
    (entry,) = second["incremental"]
    assert (entry["path"], entry["label"]) == ([], "latest")
    assert len(entry["data"]["latestReviews"]) == 3
    assert queries(shop, "reviews") == ["query { latestReviews { body } }"]


async def test_nested_fragments_and_labels_each_in_order(shop: RunningGraph) -> None:
    query = (
        'query { product(upc: "1") { name ... @defer(label: "outer") { price '
        '... @defer(label: "inner") { inStock } } } }'
    )
    first, *rest = parts((await post(shop, query, MULTIPART_ACCEPT)).content)
    assert first == {"data": {"product": {"name": "Table"}}, "hasNext": True}
    entries = [e for p in rest for e in p["incremental"]]
    assert entries == [
        {"data": {"price": 899.0}, "path": ["product"], "label": "outer"},
        {"data": {"inStock": True}, "path": ["product"], "label": "inner"},
    ]
    assert rest[-1]["hasNext"] is False


async def test_defer_if_variable_false_is_one_response(shop: RunningGraph) -> None:
    query = 'query($d: Boolean!) { product(upc: "1") { name ... @defer(if: $d) { inStock } } }'
    for d, multipart in ((False, False), (True, True)):
        shop.reset_counts()
        response = await shop.client.post(
            shop.gateway_url,
            content=orjson.dumps({"query": query, "variables": {"d": d}}),
            headers={"content-type": "application/json", "accept": MULTIPART_ACCEPT},
        )
        assert response.headers["content-type"].startswith("multipart/mixed") is multipart
        if not multipart:
            assert response.json() == {"data": {"product": {"name": "Table", "inStock": True}}}
        else:
            first, second = parts(response.content)
            assert first["data"] == {"product": {"name": "Table"}}
            assert second["incremental"] == [{"data": {"inStock": True}, "path": ["product"]}]
        assert len(queries(shop, "products")) == 1


async def test_query_plan_shows_the_deferred_fragments(shop: RunningGraph) -> None:
    query = '{ product(upc: "1") { name ... @defer(label: "stock") { inStock } } }'
    response = await shop.client.post(
        shop.gateway_url,
        content=orjson.dumps({"query": query}),
        headers={
            "content-type": "application/json",
            "accept": MULTIPART_ACCEPT,
            "apollo-query-plan-experimental": "true",
        },
    )
    first = parts(response.content)[0]
    plan = first["extensions"]["queryPlan"]["node"]
    assert plan["kind"] == "Defer"
    assert plan["primary"]["node"]["serviceName"] == "products"
    (deferred,) = plan["deferred"]
    assert deferred["label"] == "stock"
    assert deferred["node"]["kind"] == "Flatten"
    assert deferred["node"]["node"]["serviceName"] == "inventory"


async def test_null_in_a_deferred_fragment_stops_at_its_entry(shop: RunningGraph) -> None:
    """`score: Int!` fails for r3: that entry is null with the error, the others arrive."""
    query = '{ latestReviews { id ... @defer(label: "s") { score } } }'
    first, second = parts((await post(shop, query, MULTIPART_ACCEPT)).content)
    assert first == {
        "data": {"latestReviews": [{"id": "r3"}, {"id": "r2"}, {"id": "r1"}]},
        "hasNext": True,
    }
    failed, *rest = second["incremental"]
    assert (failed["data"], failed["path"]) == (None, ["latestReviews", 0])
    assert [e["path"] for e in failed["errors"]] == [["latestReviews", 0, "score"]]
    assert rest == [
        {"data": {"score": 40}, "path": ["latestReviews", 1], "label": "s"},
        {"data": {"score": 100}, "path": ["latestReviews", 2], "label": "s"},
    ]


# Found by test_gateway_defer_consistency.py (deferred answer reassembled vs the plain one)


async def test_entity_fetched_for_two_objects_reports_its_error_at_both(shop: RunningGraph) -> None:
    """Products 1 and 1 (two reviews of the Table): one representation in the deferred
    `_entities` fetch, one subgraph error, yet each product's entry gets it, as the plain
    answer (where the field comes nested in the root fetch) has it twice."""
    query = "{ latestReviews { product { ... @defer { reviews { moderatorNote } } } } }"
    first, second = parts((await post(shop, query, MULTIPART_ACCEPT)).content)
    assert first["data"] == {"latestReviews": [{"product": {}}] * 3}
    entries = second["incremental"]
    assert [[e["path"] for e in entry.get("errors", ())] for entry in entries] == [
        [],
        [["latestReviews", 1, "product", "reviews", 1, "moderatorNote"]],
        [["latestReviews", 2, "product", "reviews", 1, "moderatorNote"]],
    ]
    plain = await shop.query("{ latestReviews { product { reviews { moderatorNote } } } }")
    assert [e["path"] for e in plain["errors"]] == [
        e["path"] for entry in entries for e in entry.get("errors", ())
    ]


async def test_interface_object_fragment_nested_in_a_root_fragment_finishes(
    start_graph: Any,
) -> None:
    """`mostLiked` (an `@interfaceObject` list) in a deferred root fragment, its
    `__typename` and `title` in a nested one: the owner's type lookup belonged to the outer
    fragment but waited for the inner one's `title` fetch, which waited for the outer
    fragment: neither payload ever came."""
    query = "{ ... @defer { mostLiked { ... @defer { __typename title } } } }"
    async with start_graph("abstract") as g:
        response = await asyncio.wait_for(post(g, query, MULTIPART_ACCEPT), 5)
    first, outer, inner = parts(response.content)
    assert first == {"data": {}, "hasNext": True}
    assert outer == {
        "hasNext": True,
        "incremental": [{"data": {"mostLiked": [{}, {}]}, "path": []}],
    }
    assert inner == {
        "hasNext": False,
        "incremental": [
            {"data": {"__typename": "Movie", "title": "Alien"}, "path": ["mostLiked", 0]},
            {"data": {"__typename": "Book", "title": "Emma"}, "path": ["mostLiked", 1]},
        ],
    }


async def test_deferred_interface_field_after_the_concrete_type_is_known(
    start_graph: Any,
) -> None:
    """The primary learns each `mostLiked` object's concrete type (for `... on Movie`);
    the deferred `title` fetch, planned for objects known as `Media`, still goes out for
    them (it was skipped, and `title: String!` came back null)."""
    query = "{ mostLiked { ... @defer { ... on Movie { stars } title } } }"
    async with start_graph("abstract") as g:
        first, second = parts((await post(g, query, MULTIPART_ACCEPT)).content)
        (titles,) = [r for r in g.requests_to("media") if "title" in r["query"]]
        assert titles["variables"]["representations"] == [
            {"__typename": "Media", "id": "m1"},
            {"__typename": "Media", "id": "b2"},
        ]
    assert first == {"data": {"mostLiked": [{}, {}]}, "hasNext": True}
    assert second == {
        "hasNext": False,
        "incremental": [
            {"data": {"stars": 5, "title": "Alien"}, "path": ["mostLiked", 0]},
            {"data": {"title": "Emma"}, "path": ["mostLiked", 1]},
        ],
    }

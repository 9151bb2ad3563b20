"""Plan cache, `extensions.queryPlan`, and the plan's Sequence/Parallel/Flatten/Condition."""

from __future__ import annotations

import pytest


async def test_plan_cache_prepares_each_document_once(shop) -> None:
    gateway = shop.servers[0].app.state.gateway
    before = (gateway.plan_cache.hits, gateway.plan_cache.misses)
    for _ in range(3):
        await shop.query("{ me { name } }")
    await shop.query("{ me { name } }", operationName=None)
    await shop.query("query A { me { id } } query B { me { name } }", extra={"operationName": "A"})
    await shop.query("query A { me { id } } query B { me { name } }", extra={"operationName": "B"})
    hits, misses = gateway.plan_cache.hits - before[0], gateway.plan_cache.misses - before[1]
    assert (hits, misses) == (3, 3)


@pytest.mark.parametrize("header", ["Apollo-Query-Plan-Experimental", "pos-debug-query-plan"])
async def test_query_plan_in_extensions(shop, header: str) -> None:
    result = await shop.query(
        "{ topProducts(first: 1) { name inStock reviews { body } } }", headers={header: "1"}
    )
    assert result["data"] == {
        "topProducts": [
            {
                "name": "Table",
                "inStock": True,
                "reviews": [{"body": "Love it!"}, {"body": "Too expensive."}],
            }
        ]
    }
    plan = result["extensions"]["queryPlan"]
    assert plan["kind"] == "QueryPlan"
    root = plan["node"]
    assert root["kind"] == "Sequence"
    first, second = root["nodes"]
    assert first == {
        "kind": "Fetch",
        "serviceName": "products",
        "variableUsages": [],
        "operation": "query { topProducts(first: 1) { __typename name upc } }",
        "operationKind": "query",
    }
    assert second["kind"] == "Parallel"
    services = sorted(n["node"]["serviceName"] for n in second["nodes"])
    assert services == ["inventory", "reviews"]
    for flatten in second["nodes"]:
        assert flatten["kind"] == "Flatten"
        assert flatten["path"] == ["topProducts", "@"]
        assert flatten["node"]["requires"] == [
            {
                "kind": "InlineFragment",
                "typeCondition": "Product",
                "selections": [
                    {"kind": "Field", "name": "__typename"},
                    {"kind": "Field", "name": "upc"},
                ],
            }
        ]


async def test_no_plan_without_the_header(shop) -> None:
    result = await shop.query("{ me { name } }")
    assert "extensions" not in result


async def test_condition_node_for_entity_fetch_behind_include(shop) -> None:
    result = await shop.query(
        "query($s: Boolean!) { me { name reviews @include(if: $s) { body } } }",
        {"s": False},
        headers={"pos-debug-query-plan": "1"},
    )
    assert result["data"] == {"me": {"name": "Ada Lovelace"}}
    node = result["extensions"]["queryPlan"]["node"]
    assert node["kind"] == "Sequence"
    condition = node["nodes"][1]
    assert condition["kind"] == "Condition"
    assert condition["condition"] == "s"
    assert condition["ifClause"]["kind"] == "Flatten"
    assert condition["elseClause"] is None
    assert shop.requests_to("reviews") == []


def _shape(node: dict) -> object:
    """A plan reduced to its tree of services (`Flatten` shown by its fetch)."""
    if node["kind"] == "Flatten":
        return node["node"]["serviceName"]
    if node["kind"] == "Fetch":
        return node["serviceName"]
    return {node["kind"]: [_shape(n) for n in node["nodes"]]}


async def test_a_fetch_waits_only_for_what_it_depends_on(shop) -> None:
    # reviews depend on products only; the authors' names on reviews only; `me` on nothing:
    # the chain runs next to `me` instead of in stages behind it
    result = await shop.query(
        "{ topProducts(first: 1) { reviews { author { name } } } me { username } }",
        headers={"pos-debug-query-plan": "1"},
    )
    assert result["data"]["me"] == {"username": "ada"}
    assert _shape(result["extensions"]["queryPlan"]["node"]) == {
        "Parallel": [{"Sequence": ["products", "reviews", "accounts"]}, "accounts"]
    }

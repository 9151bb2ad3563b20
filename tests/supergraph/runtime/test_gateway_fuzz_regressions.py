"""Regressions found by differential fuzzing against @apollo/gateway, one tiny graph each
(`fixtures/planning/<case>/`), each shaped like the audit case that exposed the bug.

Every test asserts the exact response a client gets and, where the bug was in what the
gateway sent, what the subgraph received.
"""

from __future__ import annotations

from typing import Any

import pytest
from gateway_harness import RunningGraph, run_graph
from planning_graphs import run_planning_graph


def representations(g: RunningGraph, subgraph: str) -> list[dict[str, Any]]:
    """Every representation the subgraph received, in order, over all its requests."""
    return [
        rep
        for request in g.requests_to(subgraph)
        for rep in (request.get("variables") or {}).get("representations", [])
    ]


# requires-interface: `commute` requires `location { id }`, `desk` requires
# `location { ... on OfficeLocation { id } }`; asked together, one representation carries
# both parts (the fragment's part alone left a home location without its id)


@pytest.mark.parametrize("fields", ["desk commute", "commute desk"])
async def test_two_requires_of_one_interface_field_merge_into_one_representation(
    fields: str,
) -> None:
    async with run_planning_graph("requires_merge") as g:
        result = await g.query(f"{{ employees {{ {fields} }} }}")
        by_employee = [
            {"commute": "none", "desk": None},
            {"commute": "25 min", "desk": "3F-12"},
        ]
        assert result == {"data": {"employees": by_employee}}
        assert representations(g, "payroll") == [
            {
                "__typename": "Employee",
                "id": "e1",
                "location": {"__typename": "HomeLocation", "id": "h1"},
            },
            {
                "__typename": "Employee",
                "id": "e2",
                "location": {"__typename": "OfficeLocation", "id": "o1"},
            },
        ]


# complex-entity-call: `pick` and `top` live only in subgraphs whose Shelf keys are nested
# objects (`items { id sku }`, `items { id sku group { id code } } pick { id }`), each part
# of them owned by another subgraph


async def test_shareable_fields_behind_nested_keys_from_other_subgraphs() -> None:
    async with run_planning_graph("entity_call_chain") as g:
        result = await g.query("{ featured { pick { cost { amount } } top { group { id } } } }")
        assert result == {
            "data": {
                "featured": {"pick": {"cost": {"amount": 40.0}}, "top": {"group": {"id": "g1"}}}
            }
        }


# union-overfetching: an `_entities` that fails as a whole reports no index to map back;
# the error goes to the first object the fetch was to complete, as a failed request's does


async def test_entities_error_without_an_index_is_reported_at_the_object() -> None:
    async with run_planning_graph("entities_error_path") as g:
        result = await g.query("{ review { ... on AnonymousReview { product { stock } } } }")
        assert result == {
            "errors": [
                {
                    "message": "warehouse is offline",
                    "path": ["review", "product"],
                    "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "serviceName": "warehouse"},
                }
            ],
            "data": {"review": {"product": None}},
        }
        assert [r["variables"]["representations"] for r in g.requests_to("warehouse")] == [
            [{"__typename": "Product", "id": "p1"}]
        ]


async def test_entities_error_without_an_index_in_a_list_points_at_the_first_object() -> None:
    async with run_planning_graph("entities_error_path") as g:
        result = await g.query("{ reviews { ... on UserReview { product { title stock } } } }")
        assert result == {
            "errors": [
                {
                    "message": "warehouse is offline",
                    "path": ["reviews", 1, "product"],
                    "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "serviceName": "warehouse"},
                }
            ],
            "data": {"reviews": [{}, {"product": None}, {"product": None}]},
        }


async def test_entities_error_without_any_path_is_reported_at_the_object() -> None:
    async with run_planning_graph("entities_error_path") as g:
        result = await g.query("{ review { ... on AnonymousReview { product { title price } } } }")
        assert result == {
            "errors": [
                {
                    "message": "ledger is closed",
                    "path": ["review", "product"],
                    "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "serviceName": "ledger"},
                }
            ],
            "data": {"review": {"product": None}},
        }


# non-resolvable-interface-object: labels knows `Asset` only as an @interfaceObject and no
# object implements the interface, so nothing can give an asset its concrete __typename.
# Apollo refuses the whole operation at planning; we answer the rest: `asset` is null with
# one error at its path, never `__typename: "Asset"` (an interface is no runtime type)


async def test_no_concrete_typename_nulls_the_object_instead_of_naming_the_interface() -> None:
    async with run_planning_graph("interface_typename") as g:
        result = await g.query("{ asset { id __typename } gadget { id } }")
        assert result["data"] == {"asset": None, "gadget": {"id": "g1"}}
        [error] = result["errors"]
        assert error["path"] == ["asset"]
        assert error["message"]


async def test_interface_object_without_typename_needs_no_concrete_type() -> None:
    async with run_planning_graph("interface_typename") as g:
        result = await g.query("{ asset { id label } }")
        assert result == {"data": {"asset": {"id": "a1", "label": "Vice"}}}
        assert g.requests_to("registry") == []


# Found by the same fuzzer with variables in place of literals (the literal forms were fine).


async def test_a_condition_dropped_by_a_merge_leaves_no_unused_variable_in_the_fetch() -> None:
    # `upc` is also the key inventory needs, so products is asked for it unconditionally;
    # the client's `$withUpc` must then not be declared in that fetch (subgraphs refuse
    # operations with unused variables)
    query = "query Stock($withUpc: Boolean!) { topProducts { upc @include(if: $withUpc) inStock } }"
    async with run_graph("shop") as g:
        result = await g.query(query, {"withUpc": False})
        assert result == {
            "data": {"topProducts": [{"inStock": True}, {"inStock": True}, {"inStock": False}]}
        }
        [products] = g.requests_to("products")
        assert "withUpc" not in products["query"]


async def test_two_include_conditions_on_one_field_reach_the_subgraph_as_valid_graphql() -> None:
    # a conditional fragment around a conditional field: the field may carry one @include
    query = (
        "query Names($a: Boolean!, $b: Boolean!) {"
        " topProducts { upc ... @include(if: $a) { name @include(if: $b) } } }"
    )
    async with run_graph("shop") as g:
        both = await g.query(query, {"a": True, "b": True})
        assert both == {
            "data": {
                "topProducts": [
                    {"upc": "1", "name": "Table"},
                    {"upc": "2", "name": "Couch"},
                    {"upc": "3", "name": "Chair"},
                ]
            }
        }
        one = await g.query(query, {"a": True, "b": False})
        assert one == {"data": {"topProducts": [{"upc": "1"}, {"upc": "2"}, {"upc": "3"}]}}


@pytest.mark.parametrize(
    "query",
    [
        "query Q($m: Boolean!) { items { tax maker @include(if: $m) { name } } }",
        "query Q($m: Boolean!) { items { maker @include(if: $m) { name } tax } }",
    ],
    ids=["requires-first", "client-first"],
)
async def test_a_skipped_field_needed_by_requires_runs_nothing_below_it(query: str) -> None:
    # `maker { id }` is fetched for `tax` whatever `$m` says; the client's `name` below it
    # is not: `makers` is never called, so its failure cannot show up at a skipped path
    async with run_planning_graph("skipped_requires_input") as g:
        skipped = await g.query(query, {"m": False})
        assert skipped == {"data": {"items": [{"tax": 7}, {"tax": 9}]}}
        assert g.requests_to("makers") == []
        kept = await g.query(query, {"m": True})
        assert kept["data"] == {
            "items": [{"tax": 7, "maker": {"name": None}}, {"tax": 9, "maker": {"name": None}}]
        }
        assert {e["message"] for e in kept["errors"]} == {"makers is closed"}

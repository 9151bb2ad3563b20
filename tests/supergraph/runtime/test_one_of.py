"""`@oneOf` input objects: composed into the API schema, validated and coerced by the
gateway (literals and variables), and forwarded to the subgraph as the client sent them."""

from __future__ import annotations

from graphql import print_schema
from planning_graphs import PLANNING, run_planning_graph

from supergraph.composition import compose
from supergraph.composition.subgraph import Subgraph
from supergraph.runtime import load_supergraph

CASE = PLANNING / "one_of"
BY = "query ($by: ProductBy!) { product(by: $by) { id sku } }"


def test_composition_keeps_one_of_in_the_api_schema() -> None:
    sdl = (CASE / "catalog.graphql").read_text()
    result = compose([Subgraph("catalog", "http://catalog.invalid/graphql", sdl)])
    assert not result.errors and result.supergraph_sdl is not None
    api = print_schema(load_supergraph(result.supergraph_sdl).api_schema)
    assert "input ProductBy @oneOf {" in api


async def test_exactly_one_field_is_accepted_and_forwarded() -> None:
    async with run_planning_graph("one_of") as g:
        assert await g.query('{ product(by: { sku: "SOFA" }) { id } }') == {
            "data": {"product": {"id": "p2"}}
        }
        assert await g.query(BY, {"by": {"id": "p1"}}) == {
            "data": {"product": {"id": "p1", "sku": "LAMP"}}
        }
        sent = g.requests_to("catalog")
        assert len(sent) == 2


async def test_none_or_two_fields_or_a_null_are_refused_before_any_subgraph() -> None:
    async with run_planning_graph("one_of") as g:
        for literal in ('{ id: "p1", sku: "LAMP" }', "{}", "{ id: null }"):
            result = await g.query("{ product(by: " + literal + ") { id } }")
            assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", literal
        for value in ({"id": "p1", "sku": "LAMP"}, {}, {"sku": None}):
            result = await g.query(BY, {"by": value})
            assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", value
        assert g.requests_to("catalog") == []


HEADER = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])\n'
)


def test_a_one_of_input_with_a_non_null_field_does_not_compose() -> None:
    sdl = HEADER + (
        "directive @oneOf on INPUT_OBJECT\n"
        "input ProductBy @oneOf { id: ID! sku: String }\n"
        "type Query { product(by: ProductBy!): ID }\n"
    )
    result = compose([Subgraph("a", "http://a.invalid/graphql", sdl)])
    assert result.supergraph_sdl is None
    assert "must be nullable" in result.errors[0].message


def test_one_subgraph_saying_one_of_makes_the_supergraph_input_one_of() -> None:
    # inputs merge by intersection: the stricter rule holds, or the subgraph that
    # declares @oneOf would refuse what the gateway let through
    field = "type Query { product(by: ProductBy!): ID @shareable }\n"
    strict = (
        HEADER + "directive @oneOf on INPUT_OBJECT\ninput ProductBy @oneOf { id: ID sku: String }\n"
    )
    loose = HEADER + "input ProductBy { id: ID sku: String }\n"
    result = compose(
        [
            Subgraph("a", "http://a.invalid/graphql", strict + field),
            Subgraph("b", "http://b.invalid/graphql", loose + field),
        ]
    )
    assert result.supergraph_sdl is not None
    api = print_schema(load_supergraph(result.supergraph_sdl).api_schema)
    assert "input ProductBy @oneOf {" in api

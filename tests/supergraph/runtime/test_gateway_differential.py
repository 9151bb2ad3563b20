"""Same operations, same running subgraphs: our gateway vs Apollo's @apollo/gateway.

Responses must be identical JSON (data and errors, key order ignored) after this
normalisation only: error `locations` are dropped; Apollo's `extensions.valueCompletion`
(null-propagation errors, which we report in `errors` as the GraphQL spec asks) is moved
into `errors`; parse, validation and variable-coercion errors (codes GRAPHQL_PARSE_FAILED,
GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT) are compared by code, count and path, not by
message, because graphql-js and graphql-core word them differently. Subgraph errors,
null-propagation errors and all data are compared exactly.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fixture_graphs import GRAPHS, supergraph_sdl
from gateway_harness import run_graph
from graphql import (
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    get_named_type,
    is_leaf_type,
)
from reference_gateway import apollo_gateway

from supergraph.runtime import load_supergraph

Operation = tuple[str, dict[str, Any] | None]

SHOP_OPERATIONS: list[Operation] = [
    ("{ topProducts { upc name } }", None),
    ("{ topProducts(first: 1) { name price eur: price(currency: EUR) } }", None),
    ("query($n: Int) { topProducts(first: $n) { upc } }", {"n": 2}),
    ("query($n: Int = 1) { topProducts(first: $n) { upc } }", None),
    ("{ topProducts { name reviews { body author { username name } } } }", None),
    ("{ topProducts { name inStock shippingEstimate } }", None),
    ("{ topProducts { shippingEstimate } }", None),
    ("{ me { name reviews { body product { name inStock } } } }", None),
    ("{ latestReviews { id author { username } } }", None),
    ("{ latestReviews { author { id username name } } }", None),
    ('{ product(upc: "2") { name topReview { body } category { name } } }', None),
    ('{ product(upc: "404") { name topReview { body } } }', None),
    ("{ __typename topProducts { __typename t: __typename upc } }", None),
    (
        "query Q($withReviews: Boolean!) { topProducts { name "
        "reviews @include(if: $withReviews) { body } } }",
        {"withReviews": False},
    ),
    (
        "query Q($withReviews: Boolean!) { topProducts { name "
        "reviews @include(if: $withReviews) { body } } }",
        {"withReviews": True},
    ),
    (
        "query($skip: Boolean!) { me { ...U @skip(if: $skip) } } "
        "fragment U on User { name username }",
        {"skip": True},
    ),
    (
        "query($skip: Boolean!) { me { ...U @skip(if: $skip) } } "
        "fragment U on User { name username }",
        {"skip": False},
    ),
    ("{ topProducts { ... on Product { upc ... { name } } } }", None),
    ('{ a: product(upc: "1") { name } b: product(upc: "2") { name } }', None),
    ("{ topProducts { name: upc upc: name } }", None),
    ("{ latestReviews { id moderatorNote } }", None),
    ("{ latestReviews { id score } }", None),
    ("{ topProducts { reviews { id score } } }", None),
    ("{ topProducts { internalCode } }", None),
    ("{ topProducts { nope } }", None),
    ("{ topProducts { name ", None),
    ('query($c: Currency) { product(upc: "1") { price(currency: $c) } }', {"c": "EUR"}),
    ('query($c: Currency) { product(upc: "1") { price(currency: $c) } }', {"c": "GBP"}),
    ('{ __type(name: "Product") { name fields { name } } }', None),
    ("{ __schema { queryType { name } mutationType { name } } }", None),
    ("{ latestReviews { author { username } } }", None),
    (
        "{ topProducts { category { id name } reviews { product { name category { name } } } } }",
        None,
    ),
    ("{ me { reviews { product { reviews { author { name reviews { id } } } } } } }", None),
    (
        "{ me { reviews { product { reviews { author { name reviews { id product { name "
        "inStock shippingEstimate topReview { author { username reviews { body product { "
        "price category { name } } } } } } } } } } } } }",
        None,
    ),
    (
        "query Deep($n: Int = 2, $c: Currency = EUR) { topProducts(first: $n) { "
        "...F reviews { author { ...U } product { ...F } } } } "
        "fragment F on Product { upc p: price(currency: $c) shippingEstimate } "
        "fragment U on User { id name reviews { id } }",
        None,
    ),
]

OPERATIONS: dict[str, list[Operation]] = {
    "shop": SHOP_OPERATIONS,
    "keys": [
        ("{ users { name email karma } }", None),
        ("{ users { karma } }", None),
        ('{ account(bank: "ING", number: 42) { balance holder { name karma email } } }', None),
        ('{ account(bank: "ABN", number: 1) { balance } }', None),
        ("{ shipments { seq status order { id } } }", None),
        ("{ featured { sku title } }", None),
    ],
    "requires": [
        ("{ items { name shippingCost } }", None),
        ("{ items { shippingTax } }", None),
        ("{ items { insurance supplier { name } } }", None),
        # Not compared: `{ items { price shippingCost } }`. @apollo/gateway 2.14 sends the
        # client's `price` (USD) where `@requires(fields: "price(currency: \"EUR\")")`
        # asks for EUR; test_gateway_requires.py checks our (spec) answer by hand.
        ('{ items { id eur: price(currency: "EUR") shippingCost shippingTax insurance } }', None),
    ],
    "abstract": [
        (
            "{ search { __typename ... on Book { title pages stars likes } "
            "... on Movie { title } } }",
            None,
        ),
        ('{ search(term: "e") { ... on Media { id title likes } } }', None),
        ("{ nodes { __typename id ... on Media { title likes } ... on Movie { stars } } }", None),
        ("{ featured { __typename title likes ... on Movie { stars minutes } } }", None),
        ("{ musicSearch { __typename ... on Song { title artist } ... on Book { pages } } }", None),
        ("query { nodes { ...N } } fragment N on Node { id ... on Book { stars } }", None),
        (
            "{ mostLiked { __typename id likes title ... on Book { pages stars } "
            "... on Movie { minutes } } }",
            None,
        ),
        ("{ mostLiked { ... on Movie { title } } }", None),
    ],
    "choice": [
        ("{ topProduct { stock } }", None),
        ("{ topProduct { name price stock } }", None),
        ("{ products { name price } }", None),
    ],
    "inputs": [
        ("{ things(filter: {color: RED}) { id color size fitSize } }", None),
        ("{ thingCount(filter: {color: GREEN}) things { fitSize } }", None),
        ("{ things { secret } }", None),
        ("{ things(filter: {minSize: 1}) { id } }", None),
        ("query($f: ThingFilter) { things(filter: $f) { id } }", {"f": {"color": "GREEN"}}),
    ],
    "fed1": [
        ("{ me { username reviews { body author { username } } } }", None),
        ("{ reviews { body author { id username } } }", None),
    ],
}


def normalise(body: dict[str, Any]) -> dict[str, Any]:
    out = dict(body)
    extensions = out.pop("extensions", None) or {}
    errors = []
    for error in [*body.get("errors", []), *extensions.get("valueCompletion", [])]:
        e = dict(error)
        e.pop("locations", None)
        code = (e.get("extensions") or {}).get("code")
        if code == "BAD_USER_INPUT":
            e["message"] = "(variable coercion message: graphql-core vs graphql-js wording)"
        if code in ("GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"):
            e["message"] = "(validation message: graphql-core vs graphql-js wording)"
        errors.append(e)
    if errors:
        out["errors"] = errors
    return out


@pytest.mark.parametrize("graph", sorted(OPERATIONS))
async def test_same_responses_as_apollo_gateway(graph: str) -> None:
    async with (
        run_graph(graph) as ours,
        apollo_gateway(GRAPHS / graph / "supergraph.graphql", ours.urls) as apollo,
    ):
        mismatches = []
        for query, variables in OPERATIONS[graph]:
            body: dict[str, Any] = {"query": query}
            if variables is not None:
                body["variables"] = variables
            headers = {"content-type": "application/json"}
            theirs = await ours.client.post(apollo, content=orjson.dumps(body), headers=headers)
            mine = await ours.post(query, variables)
            a, b = normalise(theirs.json()), normalise(mine.json())
            if a != b:
                mismatches.append((query, variables, a, b))
        assert not mismatches, "\n\n".join(
            f"{q} {v}\n apollo: {a}\n ours:   {b}" for q, v, a, b in mismatches
        )


FAILURE_OPERATIONS = [
    '{ product(upc: "1") { name shippingEstimate } }',
    "{ topProducts { name inStock } }",
    "{ me { name reviews { body } } }",
]


async def test_same_partial_data_as_apollo_when_a_subgraph_fails() -> None:
    """Data must be identical; each side reports one error per failed request. The
    wording differs on purpose: we name the subgraph and use SUBREQUEST_HTTP_ERROR (as
    Apollo Router does); @apollo/gateway says "500: Internal Server Error"."""
    async with (
        run_graph("shop") as ours,
        apollo_gateway(GRAPHS / "shop" / "supergraph.graphql", ours.urls) as apollo,
    ):
        ours.subgraphs["inventory"].fail_with_status = 500
        ours.subgraphs["reviews"].fail_with_status = 502
        for query in FAILURE_OPERATIONS:
            body = orjson.dumps({"query": query})
            headers = {"content-type": "application/json"}
            theirs = (await ours.client.post(apollo, content=body, headers=headers)).json()
            mine = (await ours.post(query)).json()
            assert mine["data"] == theirs["data"], query
            assert len(mine["errors"]) == len(theirs["errors"]), query
            assert {e["extensions"]["code"] for e in mine["errors"]} == {"SUBREQUEST_HTTP_ERROR"}


# Fields whose generated query hits a known @apollo/gateway 2.14 divergence, where our
# answer is checked by hand elsewhere: Item.shippingCost and what requires it next to the
# client's own `price` (@requires with arguments, see above) and Query.mostLiked with every
# concrete fragment (Apollo answers `data: null` with no error; test_gateway_abstract.py).
DIVERGENT_FIELDS = {
    ("requires", "Item.shippingCost"),
    ("requires", "Item.shippingTax"),
    ("abstract", "Query.mostLiked"),
}
ROOT_ARGUMENTS = {"product": '(upc: "1")', "account": '(bank: "ING", number: 42)'}


def _selection(schema: GraphQLSchema, output: Any, depth: int, graph: str) -> str:
    """Every field (without required arguments) to `depth`, fragments for each type."""
    named = get_named_type(output)
    if is_leaf_type(named):
        return ""
    if depth == 0:
        return "{ __typename }"
    parts = ["__typename"]
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        for name, f in named.fields.items():
            required = any(
                isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined
                for a in f.args.values()
            )
            if not required and (graph, f"{named.name}.{name}") not in DIVERGENT_FIELDS:
                parts.append(f"{name} {_selection(schema, f.type, depth - 1, graph)}")
    if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
        for member in schema.get_possible_types(named):
            parts.append(f"... on {member.name} {_selection(schema, member, depth, graph)}")
    return "{ " + " ".join(parts) + " }"


@pytest.mark.parametrize("graph", sorted(OPERATIONS))
async def test_generated_queries_match_apollo_gateway(graph: str) -> None:
    """For every root field: a query selecting every field three levels deep."""
    api = load_supergraph(supergraph_sdl(graph)).api_schema
    assert api.query_type is not None
    queries = []
    for name, f in api.query_type.fields.items():
        if (graph, f"Query.{name}") in DIVERGENT_FIELDS:
            continue
        args = ROOT_ARGUMENTS.get(name, "")
        if not args and any(isinstance(a.type, GraphQLNonNull) for a in f.args.values()):
            continue
        queries.append("{ " + name + args + " " + _selection(api, f.type, 3, graph) + " }")
    assert queries
    async with (
        run_graph(graph) as ours,
        apollo_gateway(GRAPHS / graph / "supergraph.graphql", ours.urls) as apollo,
    ):
        for query in queries:
            body = orjson.dumps({"query": query})
            headers = {"content-type": "application/json"}
            theirs = (await ours.client.post(apollo, content=body, headers=headers)).json()
            mine = (await ours.post(query)).json()
            assert normalise(mine) == normalise(theirs), query

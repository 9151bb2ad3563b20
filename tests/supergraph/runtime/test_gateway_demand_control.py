"""Demand control (`@cost`/`@listSize`, Apollo Router's static estimate): a supergraph composed
by Apollo from two small subgraphs, costs computed by hand in each test, and our gateway over
real sockets refusing operations over budget before any subgraph is called."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from federated_subgraph import FederatedSubgraph, Server
from typer.testing import CliRunner

from pos.cli import app as pos_app
from supergraph.runtime import Gateway, create_app
from supergraph.runtime.plugins.demand_control import (
    DEFAULT_IMPLICIT_SLICING,
    ESTIMATED_TOO_EXPENSIVE,
    QUERY_PARSE_FAILURE,
    CostEstimator,
    DemandControl,
)

ROOT = Path(__file__).parents[3]
LIST_SIZE = 7  # the configured default list size in these tests
MAX_COST = 100

CATALOG_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",
  import: ["@key", "@cost", "@listSize", "@authenticated"])

type Query {
  product(id: ID!): Product
  products(first: Int = 5, last: Int): [Product!]!
    @listSize(slicingArguments: ["first", "last"], requireOneSlicingArgument: false)
  search(term: String! @cost(weight: 3), filter: Filter): [Product!]! @listSize(assumedSize: 4)
  top(limit: Int): [Product!]! @listSize(slicingArguments: ["limit"])
  page(first: Int): ProductPage
    @listSize(slicingArguments: ["first"], sizedFields: ["items"], requireOneSlicingArgument: false)
  categories: [Category!]!
  tags: [String!]!
  audit: [Product!] @authenticated @listSize(assumedSize: 50)
}

type Mutation {
  addProduct(input: ProductInput!): Product
}

input ProductInput { name: String! price: Int @cost(weight: 2) tags: [String!] }
input Filter { minPrice: Int @cost(weight: 4) kind: Kind }
enum Kind @cost(weight: 2) { FOOD DRINK }

type ProductPage { total: Int items: [Product!]! }
type Category { id: ID! name: String }
type Supplier @cost(weight: 5) { name: String }

type Product @key(fields: "id") {
  id: ID!
  name: String
  price: Int @cost(weight: 2)
  kind: Kind
  supplier: Supplier
}
"""

STOCK_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",
  import: ["@key", "@cost", "@external", "@requires"])

type Product @key(fields: "id") {
  id: ID!
  price: Int @external
  stockValue: Int @requires(fields: "price") @cost(weight: 4)
}
"""

# The same kind of schema with the directives imported under other names.
RENAMED_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",
  import: ["@key", {name: "@cost", as: "@weight"}, {name: "@listSize", as: "@size"}])

type Query { items(first: Int): [Item!]! @size(slicingArguments: ["first"]) @weight(weight: 2) }
type Item @key(fields: "id") { id: ID! x: Int @weight(weight: 3) }
"""

PRODUCTS: list[dict[str, Any]] = [
    {"__typename": "Product", "id": str(i), "name": f"p{i}", "price": i, "kind": "FOOD"}
    for i in range(1, 4)
]


def _compose(folder: Path, **sdls: str) -> str:
    args = []
    for name, sdl in sdls.items():
        (folder / f"{name}.graphql").write_text(sdl)
        args.append(f"{name}={folder / f'{name}.graphql'}")
    done = subprocess.run(
        ["node", str(ROOT / "tools" / "apollo" / "compose.mjs"), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def supergraph(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _compose(tmp_path_factory.mktemp("demand"), catalog=CATALOG_SDL, stock=STOCK_SDL)


@pytest.fixture(scope="module")
def estimator(supergraph: str) -> CostEstimator:
    gateway = Gateway(supergraph, demand_control=DemandControl(MAX_COST, LIST_SIZE))
    assert gateway.cost_estimator is not None
    return gateway.cost_estimator


def cost(estimator: CostEstimator, query: str, **variables: Any) -> float:
    return estimator.estimate(query, None, variables)


# ---- the estimate, computed by hand ---------------------------------------------------------


def test_objects_cost_one_leaves_nothing_and_field_weights_replace_the_default(
    estimator: CostEstimator,
) -> None:
    # product 1 + name 0 + price @cost 2
    assert cost(estimator, '{ product(id: "1") { name price } }') == 3
    # supplier's type has @cost(weight: 5); __typename and introspection are free
    assert cost(estimator, '{ __typename product(id: "1") { __typename supplier { name } } }') == 6
    assert cost(estimator, '{ __schema { types { name } } product(id: "1") { id } }') == 1


def test_list_sizes_come_from_slicing_arguments_defaults_assumed_size_or_the_default(
    estimator: CostEstimator,
) -> None:
    # `first` defaults to 5: 5 x (1 + price 2)
    assert cost(estimator, "{ products { price } }") == 15
    assert cost(estimator, "{ products(first: 20) { price } }") == 60
    # several slicing arguments: the largest wins
    assert cost(estimator, "{ products(first: 3, last: 8) { price } }") == 24
    # assumedSize 4 x (1 + supplier 5) + the `term` argument's @cost 3
    assert cost(estimator, '{ search(term: "x") { supplier { name } } }') == 27
    # no @listSize: the configured default list size; scalar lists cost nothing
    assert cost(estimator, "{ categories { name } }") == LIST_SIZE
    assert cost(estimator, "{ tags }") == 0


def test_sized_fields_take_the_parent_slicing_argument(estimator: CostEstimator) -> None:
    # page 1 + total 0 + items 6 x (1 + price 2)
    assert cost(estimator, "{ page(first: 6) { total items { price } } }") == 19
    # no slicing value and no assumedSize: the items fall back to the default list size
    assert cost(estimator, "{ page { items { price } } }") == 1 + LIST_SIZE * 3


def test_variables_set_slicing_arguments_and_argument_costs(estimator: CostEstimator) -> None:
    query = "query ($n: Int) { products(first: $n) { price } }"
    assert cost(estimator, query, n=30) == 90
    assert cost(estimator, query, n=40) == 120  # same document, cached parse, new value
    assert cost(estimator, query) == 15  # not given: the argument's default (5)
    # an input object costs 1 plus its fields: minPrice @cost 4, kind's enum @cost 2
    search = 'query ($f: Filter) { search(term: "x", filter: $f) { id } }'
    assert cost(estimator, search, f={"minPrice": 1, "kind": "FOOD"}) == 4 + 3 + 7
    assert cost(estimator, search, f={"minPrice": 1}) == 4 + 3 + 5
    assert cost(estimator, search, f=None) == 4 + 3
    literal = '{ search(term: "x", filter: {minPrice: 3, kind: DRINK}) { id } }'
    assert cost(estimator, literal) == 4 + 3 + 7


def test_mutations_start_at_ten_and_input_fields_add_their_weights(
    estimator: CostEstimator,
) -> None:
    # 10 + addProduct 1 + input object 1 + price 2 (name, tags: nothing)
    mutation = 'mutation { addProduct(input: {name: "a", price: 3, tags: ["x", "y"]}) { id } }'
    assert cost(estimator, mutation) == 14


def test_requires_fragments_and_skipped_fields(estimator: CostEstimator) -> None:
    # product 1 + stockValue (@cost 4 + its @requires selection `price` 2)
    assert cost(estimator, '{ product(id: "1") { stockValue } }') == 7
    fragments = "{ products(first: 2) { ...P } } fragment P on Product { supplier { name } }"
    assert cost(estimator, fragments) == 12
    inline = "{ products(first: 2) { ... on Product { price } } }"
    assert cost(estimator, inline) == 6
    skipped = 'query ($s: Boolean!) { product(id: "1") { price @skip(if: $s) } }'
    assert cost(estimator, skipped, s=True) == 1
    assert cost(estimator, skipped, s=False) == 3


def test_require_one_slicing_argument_is_enforced(estimator: CostEstimator) -> None:
    assert cost(estimator, "{ top(limit: 2) { id } }") == 2
    _, error = estimator.check("{ top { id } }", None, {})
    assert error is not None
    assert error["extensions"] == {"code": QUERY_PARSE_FAILURE}
    assert "limit" in error["message"]


def test_renamed_directives_are_found(tmp_path: Path) -> None:
    sdl = _compose(tmp_path, items=RENAMED_SDL)
    gateway = Gateway(sdl, demand_control=DemandControl(MAX_COST, LIST_SIZE))
    assert gateway.cost_estimator is not None
    # 3 x (items @weight 2 + x @weight 3)
    assert gateway.cost_estimator.estimate("{ items(first: 3) { x } }", None, {}) == 15


# ---- enforcement over HTTP ------------------------------------------------------------------


@dataclass
class CostGraph:
    catalog: FederatedSubgraph
    stock: FederatedSubgraph
    url: str
    client: httpx.AsyncClient

    async def post(
        self, query: str, accept: str = "application/json", **body: Any
    ) -> httpx.Response:
        headers = {"content-type": "application/json", "accept": accept}
        headers.update(body.pop("headers", {}))
        return await self.client.post(
            self.url, content=orjson.dumps({"query": query, **body}), headers=headers
        )

    def calls(self) -> int:
        return len(self.catalog.received) + len(self.stock.received)


async def _serve(supergraph: str, demand_control: DemandControl | None) -> AsyncIterator[CostGraph]:
    catalog = FederatedSubgraph(
        "catalog",
        CATALOG_SDL,
        records={
            "Query": [
                {
                    "product": PRODUCTS[0],
                    "products": PRODUCTS,
                    "audit": PRODUCTS,
                    "categories": [{"id": "c", "name": "food"}],
                }
            ],
            "Product": PRODUCTS,
        },
    )
    stock = FederatedSubgraph(
        "stock",
        STOCK_SDL,
        records={"Product": [{**p, "stockValue": p["price"] * 10} for p in PRODUCTS]},
    )
    servers = [Server(catalog.app), Server(stock.app)]
    await asyncio.gather(*(s.start() for s in servers))
    app = create_app(supergraph, subgraph_urls={"catalog": servers[0].url, "stock": servers[1].url})
    app.state.gateway.configure_demand_control(demand_control)
    gateway = Server(app, lifespan="on")
    await gateway.start()
    client = httpx.AsyncClient(timeout=30)
    try:
        yield CostGraph(catalog, stock, gateway.url, client)
    finally:
        await client.aclose()
        await gateway.stop()
        await asyncio.gather(*(s.stop() for s in servers))


@pytest.fixture
async def graph(supergraph: str) -> AsyncIterator[CostGraph]:
    async for running in _serve(supergraph, DemandControl(MAX_COST, LIST_SIZE)):
        yield running


def _too_expensive(estimated: int) -> dict[str, Any]:
    return {
        "code": ESTIMATED_TOO_EXPENSIVE,
        "cost.estimated": estimated,
        "cost.max": MAX_COST,
    }


async def test_an_operation_over_budget_is_refused_before_any_subgraph_call(
    graph: CostGraph,
) -> None:
    response = await graph.post("{ products(first: 40) { price } }")  # 40 x 3 = 120
    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"] == _too_expensive(120)
    assert "120" in error["message"] and "100" in error["message"]
    assert graph.calls() == 0
    strict = await graph.post(
        "{ products(first: 40) { price } }", accept="application/graphql-response+json"
    )
    assert strict.status_code == 400
    assert strict.json()["errors"][0]["extensions"]["code"] == ESTIMATED_TOO_EXPENSIVE
    assert graph.calls() == 0


async def test_an_operation_within_budget_runs(graph: CostGraph) -> None:
    response = await graph.post('{ product(id: "1") { name stockValue } }')  # 1 + 4 + 2
    assert response.json() == {"data": {"product": {"name": "p1", "stockValue": 10}}}
    assert graph.calls() == 2


async def test_the_same_document_is_judged_by_each_request_variables(graph: CostGraph) -> None:
    query = "query Page($n: Int) { products(first: $n) { id price } }"
    allowed = await graph.post(query, variables={"n": 30})  # 90
    assert allowed.json()["data"]["products"][0] == {"id": "1", "price": 1}
    calls = graph.calls()
    refused = await graph.post(query, variables={"n": 34})  # 102
    assert refused.json()["errors"][0]["extensions"] == _too_expensive(102)
    assert graph.calls() == calls
    again = await graph.post(query, variables={"n": 33})  # 99
    assert "errors" not in again.json()


def _add_products(count: int) -> str:
    """`count` aliased `addProduct`s, each 1 + supplier 5 + its input object 1 = 7."""
    fields = " ".join(
        f'a{i}: addProduct(input: {{name: "p{i}"}}) {{ supplier {{ name }} }}' for i in range(count)
    )
    return f"mutation {{ {fields} }}"


async def test_mutations_start_at_ten_and_an_expensive_one_never_runs(graph: CostGraph) -> None:
    refused = await graph.post(_add_products(13))  # 10 + 13 x 7 = 101
    assert refused.json()["errors"][0]["extensions"] == _too_expensive(101)
    assert graph.calls() == 0
    allowed = await graph.post(_add_products(12))  # 94
    assert "errors" not in allowed.json()
    assert graph.calls() > 0


async def test_fields_removed_by_authorization_are_not_counted(
    graph: CostGraph, estimator: CostEstimator
) -> None:
    # `audit` (@authenticated, 50 x 3 = 150) is filtered out of an anonymous request first
    query = '{ audit { price } product(id: "1") { name } }'
    assert cost(estimator, query) == 151
    response = await graph.post(query)
    body = response.json()
    assert body["data"] == {"audit": None, "product": {"name": "p1"}}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHORIZED_FIELD_OR_TYPE"]


async def test_deferred_fragments_count_and_nothing_is_fetched_when_refused(
    graph: CostGraph,
) -> None:
    query = "{ products(first: 40) { id ... @defer { price } } }"  # 40 x 3 = 120
    response = await graph.post(query, accept="multipart/mixed, application/json")
    assert response.json()["errors"][0]["extensions"] == _too_expensive(120)
    assert graph.calls() == 0
    small = await graph.post(
        "{ products(first: 2) { id ... @defer { price } } }",
        accept="multipart/mixed, application/json",
    )
    assert small.headers["content-type"].startswith("multipart/mixed")
    assert '"price":1' in small.text


async def test_the_estimate_comes_back_with_the_query_plan(graph: CostGraph) -> None:
    response = await graph.post(
        "{ products(first: 3) { price } }", headers={"apollo-query-plan-experimental": "1"}
    )
    body = response.json()
    assert body["extensions"]["cost"] == {"estimated": 9, "max": MAX_COST}
    assert "queryPlan" in body["extensions"]
    plain = await graph.post("{ products(first: 3) { price } }")
    assert "extensions" not in plain.json()


async def test_demand_control_is_off_when_none(supergraph: str) -> None:
    async for graph in _serve(supergraph, None):
        response = await graph.post("{ products(first: 4000) { price } }")
        assert len(response.json()["data"]["products"]) == 3


def test_gateway_command_sets_the_budget(
    tmp_path: Path, supergraph: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: served.append(app))
    sdl = tmp_path / "supergraph.graphql"
    sdl.write_text(supergraph)
    base = ["gateway", "--supergraph", str(sdl), "--no-subscriptions"]
    done = CliRunner().invoke(pos_app, [*base, "--max-cost", "50", "--default-list-size", "3"])
    assert done.exit_code == 0, done.output
    estimator = served[-1].state.gateway.cost_estimator
    # the command keeps the safe default's estimate (lists sized by first/last too)
    assert estimator.config == DemandControl(50, 3, DEFAULT_IMPLICIT_SLICING)
    assert estimator.estimate("{ categories { id } }", None, {}) == 3
    monkeypatch.setenv("POS_MAX_COST", "80")
    assert CliRunner().invoke(pos_app, base).exit_code == 0
    assert served[-1].state.gateway.cost_estimator.config == DemandControl(
        80, 10, DEFAULT_IMPLICIT_SLICING
    )
    monkeypatch.delenv("POS_MAX_COST")
    assert CliRunner().invoke(pos_app, base).exit_code == 0  # on by default
    assert served[-1].state.gateway.cost_estimator.config == DemandControl.safe_default()
    assert CliRunner().invoke(pos_app, [*base, "--max-cost", "0"]).exit_code == 0
    assert served[-1].state.gateway.cost_estimator is None
    lonely = CliRunner().invoke(pos_app, [*base, "--max-cost", "0", "--default-list-size", "3"])
    assert lonely.exit_code == 2

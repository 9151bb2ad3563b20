"""Query batching (Apollo Router's `batching`, mode batch_http_link) over the `shop` graph: a JSON
array of requests in one POST, answered in order, each entry exactly as if sent alone; and
Apollo Client's BatchHttpLink reading what we send."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fixture_graphs import supergraph_sdl
from gateway_harness import RunningGraph
from typer.testing import CliRunner

from pos.cli import app as pos_app
from supergraph.runtime.plugins.limits import OperationLimits
from supergraph.runtime.server.batching import Batching

StartGraph = Callable[..., AbstractAsyncContextManager[RunningGraph]]
CLIENTS = Path(__file__).parents[3] / "tools" / "clients"

ME = {"query": "{ me { id username } }"}
PRODUCT = {
    "query": "query P($upc: ID!) { product(upc: $upc) { name inStock } }",
    "variables": {"upc": "2"},
    "operationName": "P",
}
INVALID = {"query": "{ nope }"}


async def _post(graph: RunningGraph, body: Any, accept: str | None = None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if accept is not None:
        headers["accept"] = accept
    return await graph.client.post(graph.gateway_url, content=orjson.dumps(body), headers=headers)


def _calls(graph: RunningGraph) -> int:
    return sum(len(graph.requests_to(name)) for name in graph.subgraphs)


def _bad(message: str, code: str = "BAD_REQUEST") -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


async def test_a_batch_is_answered_in_order_each_entry_as_if_alone(
    start_graph: StartGraph,
) -> None:
    async with start_graph("shop", batching=Batching()) as graph:
        response = await _post(graph, [ME, PRODUCT, INVALID, ME])
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        me = {"data": {"me": {"id": "u1", "username": "ada"}}}
        invalid = {
            "errors": [
                {
                    "message": "Cannot query field 'nope' on type 'Query'.",
                    "locations": [{"line": 1, "column": 3}],
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                }
            ]
        }
        assert response.json() == [
            me,
            {"data": {"product": {"name": "Couch", "inStock": True}}},
            invalid,
            me,
        ]
        alone = [(await _post(graph, entry)).json() for entry in (ME, PRODUCT, INVALID)]
        assert response.json()[:3] == alone


async def test_graphql_response_media_type_answers_a_batch_with_200(
    start_graph: StartGraph,
) -> None:
    accept = "application/graphql-response+json"
    async with start_graph("shop", batching=Batching()) as graph:
        response = await _post(graph, [INVALID, ME], accept)
        assert response.status_code == 200
        assert response.headers["content-type"] == accept
        assert response.json()[1] == {"data": {"me": {"id": "u1", "username": "ada"}}}
        assert response.json()[0]["errors"][0]["extensions"]["code"] == (
            "GRAPHQL_VALIDATION_FAILED"
        )


async def test_a_malformed_entry_gets_its_own_error(start_graph: StartGraph) -> None:
    async with start_graph("shop", batching=Batching()) as graph:
        body = [42, {"query": 1}, {"query": "{ me { id } }", "variables": []}, {}, ME]
        response = await _post(graph, body)
        assert response.status_code == 200
        assert response.json() == [
            _bad("Each batch entry must be a JSON object."),
            _bad("query must be a string."),
            _bad("variables must be a JSON object."),
            _bad("The request has no query."),
            {"data": {"me": {"id": "u1", "username": "ada"}}},
        ]
        assert len(graph.requests_to("accounts")) == 1


async def test_a_subscription_in_a_batch_is_refused_alone(start_graph: StartGraph) -> None:
    subscription = {"query": "subscription { reviewAdded { id } }"}
    async with start_graph("shop", batching=Batching()) as graph:
        response = await _post(graph, [subscription, ME])
        assert response.json() == [
            _bad(
                "Subscriptions cannot be sent in a batch: send this one on its own "
                "(WebSocket, SSE or multipart HTTP).",
                "SUBSCRIPTION_NOT_SUPPORTED",
            ),
            {"data": {"me": {"id": "u1", "username": "ada"}}},
        ]
        assert graph.requests_to("reviews") == []


async def test_mutations_in_a_batch_run(start_graph: StartGraph) -> None:
    rename = {
        "query": 'mutation { renameUser(id: "u2", username: "turing") { id username } }',
    }
    async with start_graph("shop", batching=Batching()) as graph:
        response = await _post(graph, [rename])
        assert response.json() == [
            {"data": {"renameUser": {"id": "u2", "username": "turing"}}},
        ]
        users = await graph.query("{ users { username } }")
        assert users == {
            "data": {"users": [{"username": "ada"}, {"username": "turing"}, {"username": "grace"}]}
        }


def _too_big(size: int, maximum: int) -> dict[str, Any]:
    """Apollo Router's refusal of an oversized batch: its message, the numbers in `details`."""
    details = (
        f"Batch limits exceeded: the batch has {size} entries, but the maximum batch size is "
        f"{maximum}; send fewer requests per batch."
    )
    return {
        "errors": [
            {
                "message": "Invalid GraphQL request",
                "extensions": {"details": details, "code": "BATCH_LIMIT_EXCEEDED"},
            }
        ]
    }


async def test_a_batch_over_the_maximum_is_refused_whole(start_graph: StartGraph) -> None:
    async with start_graph("shop", batching=Batching(max_size=2)) as graph:
        assert (await _post(graph, [ME, ME])).status_code == 200
        graph.reset_counts()
        # 422 Unprocessable Content, as Apollo Router answers, whatever the Accept header
        for accept in (None, "application/graphql-response+json"):
            response = await _post(graph, [ME, ME, PRODUCT], accept)
            assert response.status_code == 422
            assert response.headers["content-type"] == (accept or "application/json")
            assert response.json() == _too_big(3, 2)
        empty = await _post(graph, [])
        assert empty.status_code == 400
        assert empty.json() == _bad("The batch is empty: send at least one GraphQL request.")
        assert _calls(graph) == 0


async def test_batching_is_off_by_default(shop: RunningGraph) -> None:
    response = await _post(shop, [ME])
    assert response.status_code == 400
    assert response.json() == _bad(
        "Query batching is not enabled on this gateway: send one GraphQL request (a JSON "
        "object) per POST, or start the gateway with batching on (--batching).",
        "BATCHING_NOT_ENABLED",
    )
    assert _calls(shop) == 0


async def test_operation_limits_apply_to_each_entry(start_graph: StartGraph) -> None:
    deep = {"query": "{ me { reviews { product { upc } } } }"}  # depth 4
    options: dict[str, Any] = {"batching": Batching(), "limits": OperationLimits(max_depth=3)}
    async with start_graph("shop", **options) as graph:
        response = await _post(graph, [deep, ME])
        assert response.json() == [
            _bad(
                "Maximum depth limit exceeded in this operation (depth: 4, max_depth: 3); "
                "simplify the operation or split it into several.",
                "MAX_DEPTH_LIMIT",
            ),
            {"data": {"me": {"id": "u1", "username": "ada"}}},
        ]
        assert graph.requests_to("reviews") == []


# Apollo Client 4's BatchHttpLink (tools/clients): several queries issued together go out as
# one array; each result comes back to its own query.
BATCH_LINK = """
import { ApolloClient, InMemoryCache, gql } from "@apollo/client";
import { BatchHttpLink } from "@apollo/client/link/batch-http";
const { url, operations } = JSON.parse(process.argv.at(-1));
const client = new ApolloClient({
  link: new BatchHttpLink({ uri: url, batchMax: 10, batchInterval: 50 }),
  cache: new InMemoryCache(),
});
const results = await Promise.all(operations.map((op) => client
  .query({ query: gql(op.query), variables: op.variables, fetchPolicy: "network-only",
           errorPolicy: "all" })
  .then((r) => ({ data: r.data ?? null, error: r.error ? r.error.message : null }),
        (e) => ({ data: null, error: String(e.message ?? e) }))));
client.stop();
console.log(JSON.stringify(results));
"""

CLIENT_OPERATIONS = [
    {"query": "{ me { __typename id username } }"},
    {
        "query": "query P($upc: ID!) { product(upc: $upc) { __typename upc name inStock } }",
        "variables": {"upc": "1"},
    },
    {"query": "{ topProducts(first: 2) { __typename upc nope } }"},
]


async def _batch_link(url: str) -> list[dict[str, Any]]:
    if not (CLIENTS / "node_modules" / "@apollo" / "client").is_dir():
        raise RuntimeError("tools/clients/node_modules is missing: run scripts/setup")
    argument = orjson.dumps({"url": url, "operations": CLIENT_OPERATIONS}).decode()
    proc = await asyncio.create_subprocess_exec(
        "node",
        "--input-type=module",
        "-e",
        BATCH_LINK,
        argument,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=str(CLIENTS),
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=20)
    assert proc.returncode == 0, err.decode()
    results: list[dict[str, Any]] = orjson.loads(out)
    return results


async def test_apollo_batch_http_link_gets_each_result(start_graph: StartGraph) -> None:
    async with start_graph("shop", batching=Batching()) as graph:
        results = await _batch_link(graph.gateway_url)
        assert results == [
            {"data": {"me": {"__typename": "User", "id": "u1", "username": "ada"}}, "error": None},
            {
                "data": {
                    "product": {
                        "__typename": "Product",
                        "upc": "1",
                        "name": "Table",
                        "inStock": True,
                    }
                },
                "error": None,
            },
            {
                "data": None,
                "error": "Cannot query field 'nope' on type 'Product'. Did you mean 'name'?",
            },
        ]


async def test_apollo_batch_http_link_is_refused_when_batching_is_off(shop: RunningGraph) -> None:
    results = await _batch_link(shop.gateway_url)
    assert {r["data"] is None for r in results} == {True}
    assert _calls(shop) == 0


def test_gateway_command_turns_batching_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: served.append(app))
    sdl = tmp_path / "supergraph.graphql"
    sdl.write_text(supergraph_sdl("shop"))
    base = ["gateway", "--supergraph", str(sdl), "--no-subscriptions"]

    async def status(batch_size: int) -> tuple[int, str]:
        transport = httpx.ASGITransport(app=served[-1])
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            response = await client.post("/graphql", json=[ME] * batch_size)
            return response.status_code, response.json()["errors"][0]["extensions"]["code"]

    done = CliRunner().invoke(pos_app, [*base, "--batching", "--max-batch-size", "3"])
    assert done.exit_code == 0, done.output
    assert "batching: at most 3 requests per batch" in done.output
    assert asyncio.run(status(4)) == (422, "BATCH_LIMIT_EXCEEDED")
    assert CliRunner().invoke(pos_app, [*base, "--batching"]).exit_code == 0
    assert asyncio.run(status(33)) == (422, "BATCH_LIMIT_EXCEEDED")
    assert CliRunner().invoke(pos_app, base).exit_code == 0
    assert asyncio.run(status(1)) == (400, "BATCHING_NOT_ENABLED")
    assert CliRunner().invoke(pos_app, [*base, "--max-batch-size", "3"]).exit_code == 2
    assert (
        CliRunner().invoke(pos_app, [*base, "--batching", "--max-batch-size", "0"]).exit_code == 2
    )

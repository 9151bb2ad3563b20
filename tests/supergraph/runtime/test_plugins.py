"""Plugins around the router, supergraph and subgraph stages (supergraph/runtime/plugins/api.py)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from planning_graphs import run_planning_graph
from starlette.responses import JSONResponse, Response

from supergraph.runtime.plugins.api import (
    Body,
    Plugin,
    RouterRequest,
    SubgraphRequest,
    SupergraphRequest,
    load_plugin,
)
from supergraph.runtime.plugins.request_id import RequestId

QUERY = "{ products { name isExpensive } }"


async def test_the_request_id_plugin_carries_one_id_end_to_end() -> None:
    async with run_planning_graph("requires_batch", plugins=[RequestId()]) as g:
        response = await g.post(QUERY, headers={"x-request-id": "ticket-42"})
        assert response.headers["x-request-id"] == "ticket-42"
        assert response.json()["extensions"]["requestId"] == "ticket-42"
        assert response.json()["data"]["products"][0]["name"] == "Lamp"
        sent = [h.get("x-request-id") for s in g.subgraphs.values() for h in s.received_headers]
        assert sent == ["ticket-42", "ticket-42"]  # prices, then stock for isExpensive
        # an id that could smuggle text into logs is replaced by a fresh one
        response = await g.post(QUERY, headers={"x-request-id": "a b; FAKE=LOG LINE"})
        fresh = response.headers["x-request-id"]
        assert uuid.UUID(fresh) and response.json()["extensions"]["requestId"] == fresh


class Recorder(Plugin):
    """Writes each hook it sees into the shared context, to show order and sharing."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _mark(self, context: dict[str, Any], hook: str) -> None:
        context.setdefault("seen", []).append(f"{self.name}.{hook}")

    async def router_request(self, request: RouterRequest) -> Response | None:
        self._mark(request.context, "router")
        return None

    async def router_response(self, request: RouterRequest, response: Response) -> Response:
        self._mark(request.context, "router_response")
        response.headers[f"x-seen-{self.name}"] = ",".join(request.context["seen"])
        return response

    async def supergraph_request(self, request: SupergraphRequest) -> Body | None:
        self._mark(request.context, "supergraph")
        assert request.operation is not None and request.plan is not None
        return None

    async def supergraph_response(self, request: SupergraphRequest, body: Body) -> Body:
        self._mark(request.context, "supergraph_response")
        return body

    async def subgraph_request(self, request: SubgraphRequest) -> Body | None:
        self._mark(request.context, f"subgraph:{request.service}")
        return None

    async def subgraph_response(self, request: SubgraphRequest, body: Body) -> Body:
        self._mark(request.context, f"subgraph_response:{request.service}")
        return body


async def test_hooks_run_in_order_and_responses_in_reverse_with_one_context() -> None:
    async with run_planning_graph("requires_batch", plugins=[Recorder("a"), Recorder("b")]) as g:
        response = await g.post(QUERY)
        assert response.status_code == 200
        seen = response.headers["x-seen-a"].split(",")  # a's router_response runs last
    assert seen == [
        "a.router", "b.router", "a.supergraph", "b.supergraph",
        "a.subgraph:prices", "b.subgraph:prices",
        "b.subgraph_response:prices", "a.subgraph_response:prices",
        "a.subgraph:stock", "b.subgraph:stock",
        "b.subgraph_response:stock", "a.subgraph_response:stock",
        "b.supergraph_response", "a.supergraph_response", "b.router_response",
        "a.router_response",
    ]  # fmt: skip


class Gatekeeper(Plugin):
    async def router_request(self, request: RouterRequest) -> Response | None:
        if request.request.headers.get("x-tenant") != "shop-1":
            return JSONResponse({"errors": [{"message": "unknown tenant"}]}, status_code=403)
        return None


class Cached(Plugin):
    async def supergraph_request(self, request: SupergraphRequest) -> Body | None:
        return {"data": {"products": [{"name": "cached", "isExpensive": False}]}}


class StockStub(Plugin):
    async def subgraph_request(self, request: SubgraphRequest) -> Body | None:
        if request.service != "stock":
            return None
        reps = (request.variables or {})["representations"]
        return {"data": {"_entities": [{"isExpensive": True} for _ in reps]}}


async def test_each_stage_can_answer_instead() -> None:
    async with run_planning_graph("requires_batch", plugins=[Gatekeeper()]) as g:
        assert (await g.post(QUERY)).status_code == 403
        allowed = await g.post(QUERY, headers={"x-tenant": "shop-1"})
        assert allowed.json()["data"]["products"][0]["name"] == "Lamp"
    async with run_planning_graph("requires_batch", plugins=[Cached()]) as g:
        assert (await g.query(QUERY))["data"]["products"][0]["name"] == "cached"
        assert all(s.received == [] for s in g.subgraphs.values())
    async with run_planning_graph("requires_batch", plugins=[StockStub()]) as g:
        products = (await g.query(QUERY))["data"]["products"]
        assert [p["isExpensive"] for p in products] == [True, True]
        assert g.requests_to("stock") == []


class Broken(Plugin):
    def __init__(self, stage: str) -> None:
        self.stage = stage

    async def router_request(self, request: RouterRequest) -> Response | None:
        if self.stage == "router":
            raise RuntimeError("secret detail")
        return None

    async def supergraph_request(self, request: SupergraphRequest) -> Body | None:
        if self.stage == "supergraph":
            raise RuntimeError("secret detail")
        return None


@pytest.mark.parametrize("stage", ["router", "supergraph"])
async def test_a_failing_plugin_fails_its_request_without_leaking(
    stage: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with run_planning_graph("requires_batch", plugins=[Broken(stage)]) as g:
        with caplog.at_level(logging.ERROR):
            response = await g.post(QUERY)
    assert response.status_code == 500
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret detail" not in response.text
    assert "secret detail" in caplog.text


def test_plugins_load_by_import_path() -> None:
    assert isinstance(load_plugin("supergraph.runtime.plugins.request_id:RequestId"), RequestId)
    for spec, problem in [
        ("no-colon", "expected"),
        ("no.such.module:X", "cannot import"),
        ("supergraph.runtime.plugins.request_id:Nope", "has no Nope"),
        ("supergraph.runtime.plugins.request_id:HEADER", "not a supergraph.runtime Plugin"),
    ]:
        with pytest.raises((ValueError, TypeError), match=problem):
            load_plugin(spec)

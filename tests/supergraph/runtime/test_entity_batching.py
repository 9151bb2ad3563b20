"""`_entities` calls of concurrent requests in one subgraph request (entity_batching.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx
from federated_subgraph import Server
from planning_graphs import PLANNING, PLANNING_BUILDERS

from supergraph.runtime import create_app
from supergraph.runtime.fetching.entity_batching import EntityBatcher
from supergraph.runtime.fetching.traffic import TrafficPolicy

KEY = ("http://s/graphql\0query", None, {"authorization": "Bearer a"})


async def test_concurrent_calls_share_one_request_and_get_their_own_slice() -> None:
    sent: list[Mapping[str, Any]] = []

    async def send(variables: Mapping[str, Any]) -> dict[str, Any]:
        sent.append(variables)
        reps = variables["representations"]
        return {
            "data": {"_entities": [{"n": r["id"]} for r in reps]},
            "errors": [
                {"message": "no stock for 3", "path": ["_entities", 2, "stock"]},
                {"message": "slow", "extensions": {"code": "WARN"}},
            ],
        }

    batcher = EntityBatcher()
    a, b = await asyncio.gather(
        batcher.submit(KEY, {"representations": [{"id": 1}, {"id": 2}]}, 0.02, send),
        batcher.submit(KEY, {"representations": [{"id": 3}]}, 0.02, send),
    )
    assert len(sent) == 1 and [r["id"] for r in sent[0]["representations"]] == [1, 2, 3]
    assert a["data"]["_entities"] == [{"n": 1}, {"n": 2}]
    assert b["data"]["_entities"] == [{"n": 3}]
    assert [e["message"] for e in a["errors"]] == ["slow"]  # a pathless error is everyone's
    assert b["errors"][0] == {"message": "no stock for 3", "path": ["_entities", 0, "stock"]}


async def test_other_callers_or_variables_are_never_joined_and_failures_reach_all() -> None:
    calls = 0

    async def send(variables: Mapping[str, Any]) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if variables.get("fail"):
            raise ConnectionError("down")
        return {"data": {"_entities": [{} for _ in variables["representations"]]}}

    batcher = EntityBatcher()
    other = (KEY[0], None, {"authorization": "Bearer b"})
    await asyncio.gather(
        batcher.submit(KEY, {"representations": [{"id": 1}]}, 0.02, send),
        batcher.submit(other, {"representations": [{"id": 1}]}, 0.02, send),
        batcher.submit(KEY, {"representations": [{"id": 1}], "locale": "nl"}, 0.02, send),
    )
    assert calls == 3
    failing = [
        batcher.submit(KEY, {"representations": [{"id": i}], "fail": True}, 0.02, send)
        for i in range(3)
    ]
    results = await asyncio.gather(*failing, return_exceptions=True)
    assert calls == 4 and all(isinstance(r, ConnectionError) for r in results)


async def test_a_full_batch_goes_at_once() -> None:
    sizes: list[int] = []

    async def send(variables: Mapping[str, Any]) -> dict[str, Any]:
        sizes.append(len(variables["representations"]))
        return {"data": {"_entities": [{} for _ in variables["representations"]]}}

    batcher = EntityBatcher(max_representations=4)
    reps = {"representations": [{"id": 1}, {"id": 2}]}
    async with asyncio.timeout(1):  # a 10 s window never waited out
        await asyncio.gather(*(batcher.submit(KEY, reps, 10.0, send) for _ in range(2)))
    assert sizes == [4]


async def _gateway_requests(batch_window: float) -> tuple[int, list[dict[str, Any]]]:
    subgraphs = PLANNING_BUILDERS["requires_batch"]()
    servers = {name: Server(s.app) for name, s in subgraphs.items()}
    await asyncio.gather(*(s.start() for s in servers.values()))
    sdl = (PLANNING / "requires_batch" / "supergraph.graphql").read_text()
    app = create_app(
        sdl, subgraph_urls={n: s.url for n, s in servers.items()}, profile="development"
    )
    settings = ["stock:dedup=false", f"stock:batch_window={batch_window}"]
    app.state.gateway.fetcher.configure_traffic(TrafficPolicy.from_settings(settings))
    gateway = Server(app, lifespan="on")
    await gateway.start()
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            query = {"query": "{ products { name isAvailable } }"}
            answers = await asyncio.gather(
                *(client.post(gateway.url, json=query) for _ in range(5))
            )
        stock = subgraphs["stock"].received
        return len(stock), [a.json() for a in answers]
    finally:
        await gateway.stop()
        await asyncio.gather(*(s.stop() for s in servers.values()))


async def test_the_gateway_batches_only_subgraphs_that_opt_in() -> None:
    expected = {"data": {"products": [
        {"name": "Lamp", "isAvailable": True}, {"name": "Sofa", "isAvailable": False},
    ]}}  # fmt: skip
    batched, answers = await _gateway_requests(0.1)
    assert all(a == expected for a in answers)
    assert batched < 5  # the five clients' stock lookups shared requests
    alone, answers = await _gateway_requests(0.0)
    assert all(a == expected for a in answers)
    assert alone == 5

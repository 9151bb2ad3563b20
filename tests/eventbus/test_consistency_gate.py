"""The subgraph side of read-your-writes: `subgraphs.hosting.consistency.ConsistencyGate`.

What the gateway (or any caller speaking the protocol) sees: a call that wrote events
answers their token; a call carrying a token waits for this subgraph's projections, at
most its bound, and says how it went; a malformed token is refused before anything
runs; callers that do not speak the protocol, or are not the gateway, get the answer
unchanged and never wait. End to end through the gateway: tests/e2e/test_read_your_writes.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import request_response

from eventbus import Envelope, topic_for
from eventbus.consistency import format_token, token_of
from eventbus.progress import MemoryProgress
from eventbus.projection import Projection
from eventbus.sqlstore import SqlEventStore
from subgraphs.hosting.consistency import ConsistencyGate, note_written
from tests.eventbus.fixtures_bus import append
from tests.gateway_identity import TEST_VERIFIER, identity_headers


class Ignores(Projection):
    """Handles nothing by itself: only recorded progress can tell it moved past an event."""

    name = "gate.sales"
    topics = (topic_for("sales"),)

    async def apply(self, envelope: Envelope) -> None:
        return None

    async def has_applied(self, envelope: Envelope) -> bool:
        return False

    async def reset(self) -> None:
        return None


class World:
    def __init__(self, store: SqlEventStore) -> None:
        self.store = store
        self.progress = MemoryProgress()
        self.to_write: list[Envelope] = []
        self.calls = 0

    def client(self, wait: float = 0.3) -> httpx.AsyncClient:
        async def graphql(request: Request) -> Response:
            self.calls += 1
            note_written(self.to_write)
            return JSONResponse({"data": {"ok": True}})

        gate = ConsistencyGate(
            request_response(graphql),
            store=self.store,
            verifier=TEST_VERIFIER,
            projections=lambda: [Ignores()],
            progress=lambda: self.progress,
            default_wait=wait,
        )
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=gate), base_url="http://sub")


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    store = SqlEventStore(f"sqlite+aiosqlite:///{tmp_path / 'events.db'}")
    await store.start()
    yield World(store)
    await store.close()


async def post(client: httpx.AsyncClient, headers: dict[str, str]) -> tuple[int, Any]:
    response = await client.post("/graphql", json={"query": "{ ok }"}, headers=headers)
    return response.status_code, orjson.loads(response.content)


async def test_a_write_answers_its_token_to_callers_that_ask(world: World) -> None:
    world.to_write = await append(world.store, "s1", 2, source="sales")
    async with world.client() as client:
        _, asked = await post(client, {**identity_headers(), "pos-consistency-wait-ms": "2000"})
        _, plain = await post(client, identity_headers())
    assert asked == {
        "data": {"ok": True},
        "extensions": {"consistency": format_token(token_of(world.to_write))},
    }
    assert plain == {"data": {"ok": True}}  # not speaking the protocol: unchanged


async def test_a_token_waits_for_the_projections_progress_within_the_bound(world: World) -> None:
    written = await append(world.store, "s2", 3, source="sales")
    token = format_token(token_of(written))
    async with world.client(wait=0.3) as client:
        _, late = await post(client, {**identity_headers(), "pos-consistency": token})
        assert late["data"] == {"ok": True}
        assert late["extensions"]["consistencyWait"]["reached"] is False
        assert late["extensions"]["consistencyWait"]["waitedMs"] >= 300

        await world.progress.record(Ignores.name, {"s2": 3})
        _, fresh = await post(client, {**identity_headers(), "pos-consistency": token})
        assert fresh["extensions"]["consistencyWait"]["reached"] is True
        assert fresh["extensions"]["consistencyWait"]["waitedMs"] < 300

        # events of a context this subgraph does not project: nothing to wait for
        other = await append(world.store, "c1", 1, source="customers")
        foreign = {**identity_headers(), "pos-consistency": format_token(token_of(other))}
        _, answer = await post(client, foreign)
        assert answer["extensions"]["consistencyWait"]["reached"] is True


async def test_a_malformed_token_is_refused_before_anything_runs(world: World) -> None:
    async with world.client() as client:
        status, body = await post(client, {**identity_headers(), "pos-consistency": "sales:x"})
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert world.calls == 0


async def test_only_the_gateway_can_make_a_subgraph_wait(world: World) -> None:
    written = await append(world.store, "s3", 1, source="sales")
    async with world.client(wait=5.0) as client:
        status, body = await post(client, {"pos-consistency": format_token(token_of(written))})
    # no wait, no report: the identity guard inside refuses such calls in a real subgraph
    assert status == 200 and "consistencyWait" not in (body.get("extensions") or {})

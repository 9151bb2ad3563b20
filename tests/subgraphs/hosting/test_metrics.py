"""`/metrics` of a subgraph service: requests per operation, and the bus behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from eventbus import Envelope, topic_for
from eventbus.projection import Projection, ProjectionRunner
from eventbus.relay import Relay
from eventbus.sqlstore import SqlEventStore
from eventbus.transports import InProcessTransport
from subgraphs.catalog import CATALOG
from subgraphs.hosting.app import create_subgraph_app
from subgraphs.hosting.services import ContextServices
from tests.eventbus.fixtures_bus import counted, eventually
from tests.gateway_identity import TEST_VERIFIER
from tests.subgraphs.hosting.harness import MONGO_URL, Harness, running

NAMED_CREATE_CATEGORY = (  # as the gateway sends it: the client's name, subgraph, fetch
    "mutation CreateCategory__catalog__0($name: String!) "
    "{ createCategory(input: {name: $name}) { id name } }"
)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by (name, sorted labels)."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(
    scrape: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return scrape.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture(scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running(
        [CATALOG], backend="sqlite", tmp_path=tmp_path_factory.mktemp("metrics")
    ) as harness:
        yield harness


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_requests_are_counted_per_operation_with_outcome_and_latency(h: Harness) -> None:
    client = h.clients["catalog"]
    before = await scrape(client)
    name = NAMED_CREATE_CATEGORY
    for _ in range(2):
        ok = await client.post(
            "/graphql",
            json={"query": name, "operationName": "CreateCategory__catalog__0",
                  "variables": {"name": f"C {uuid4().hex[:6]}"}},
        )  # fmt: skip
        assert ok.status_code == 200 and not ok.json().get("errors"), ok.text
    refused = await client.post(
        "/graphql",
        json={"query": name, "operationName": "CreateCategory__catalog__0",
              "variables": {"name": ""}},
    )  # fmt: skip
    assert refused.json().get("errors"), refused.text
    anonymous = await client.post("/graphql", json={"query": "{ __typename }"})
    assert anonymous.status_code == 200
    stranger = await httpx.AsyncClient(
        transport=httpx.ASGITransport(app=client._transport.app),  # type: ignore[attr-defined]
        base_url="http://subgraph",
    ).post("/graphql", json={"query": "{ __typename }"})
    assert stranger.status_code == 401
    after = await scrape(client)
    moved = {
        (op, outcome): value(after, "pos_subgraph_requests_total", subgraph="catalog",
                             operation=op, outcome=outcome)
        - value(before, "pos_subgraph_requests_total", subgraph="catalog",
                operation=op, outcome=outcome)
        for op, outcome in [("CreateCategory", "ok"), ("CreateCategory", "error"),
                            ("anonymous", "ok"), ("anonymous", "http_401")]
    }  # fmt: skip
    assert moved == {
        ("CreateCategory", "ok"): 2,
        ("CreateCategory", "error"): 1,
        ("anonymous", "ok"): 1,
        ("anonymous", "http_401"): 1,
    }
    count = "pos_subgraph_request_duration_seconds_count"
    assert (
        value(after, count, subgraph="catalog", operation="CreateCategory")
        - value(before, count, subgraph="catalog", operation="CreateCategory")
        == 3
    )
    assert value(after, "pos_outbox_pending_events") >= 0
    assert value(after, "pos_relay_active") == 1
    assert value(after, "pos_relay_published_events_total") > value(
        before, "pos_relay_published_events_total"
    )
    applied = [k for k in after if k[0] == "pos_projection_applied_events_total"]
    assert applied, "each runner reports what it applied"
    assert any(k[0] == "pos_projection_consumer_lag_events" for k in after)


async def test_metrics_are_for_loopback_scrapers_only(h: Harness) -> None:
    app = h.clients["catalog"]._transport.app  # type: ignore[attr-defined]
    outside = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 5000)),
        base_url="http://subgraph",
    )
    response = await outside.get("/metrics")
    assert response.status_code == 403
    await outside.aclose()


class _Refusing(Projection):
    """Fails every event: each ends in the dead-letter topic."""

    def __init__(self, topic: str) -> None:
        self.name = f"refusing-{uuid4().hex[:8]}"
        self.topics = [topic]

    async def apply(self, envelope: Envelope) -> None:
        raise ValueError("cannot project this")

    async def has_applied(self, envelope: Envelope) -> bool:
        return False

    async def reset(self) -> None:
        return None


async def test_outbox_depth_age_dead_letters_and_lag_move(tmp_path: Path) -> None:
    store = SqlEventStore(f"sqlite+aiosqlite:///{tmp_path / 'e.db'}")
    transport = InProcessTransport()
    services = ContextServices(
        store=store, transport=transport, mongo_url=MONGO_URL, database="unused",
        gateway_identity=TEST_VERIFIER,
    )  # fmt: skip
    await services.start()
    app = create_subgraph_app(
        "metrics", CATALOG.graphql_app(services), services, manage_services=False
    )
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s")
    try:
        assert value(await scrape(client), "pos_outbox_pending_events") == 0
        stream = str(uuid4())
        await store.append(stream, 0, counted(stream, 3, source="metricstest"))
        full = await scrape(client)
        assert value(full, "pos_outbox_pending_events") == 3
        assert value(full, "pos_outbox_oldest_pending_age_seconds") > 0
        runner = ProjectionRunner(
            transport, _Refusing(topic_for("metricstest")), max_attempts=1, base_backoff=0.001
        )
        services.runners.append(runner)
        await Relay(store.outbox, transport).drain_once()
        lagging = await scrape(client)
        assert value(lagging, "pos_outbox_pending_events") == 0
        assert value(lagging, "pos_outbox_oldest_pending_age_seconds") == 0
        assert (
            value(lagging, "pos_projection_consumer_lag_events", projection=runner.projection.name)
            == 3
        )
        await runner.start()

        async def dead() -> bool:
            s = await scrape(client)
            name = runner.projection.name
            return (
                value(s, "pos_projection_dead_letters_total", projection=name) == 3
                and value(s, "pos_projection_consumer_lag_events", projection=name) == 0
            )

        await eventually(dead, timeout=10, what="three dead letters and no lag")
    finally:
        await client.aclose()
        await services.stop()

"""`/health` and `/ready` of a subgraph app, and `rebuild_projection`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from eventbus.sqlstore import SqlEventStore
from eventbus.transports import InProcessTransport
from subgraphs.catalog import CATALOG
from subgraphs.catalog.projections import ProductView
from subgraphs.hosting.app import create_subgraph_app
from subgraphs.hosting.rebuild import projection_names, rebuild_projection
from subgraphs.hosting.services import ContextServices
from tests.subgraphs.catalog.queries import add_product, create_category
from tests.subgraphs.hosting.harness import MONGO_URL, Harness, running


@pytest.fixture(scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running(
        [CATALOG], backend="sqlite", tmp_path=tmp_path_factory.mktemp("hosting")
    ) as harness:
        yield harness


async def test_health_and_ready_when_everything_answers(h: Harness) -> None:
    client = h.clients["catalog"]
    health = await client.get("/health")
    assert health.json() == {"status": "ok", "subgraph": "catalog"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "subgraph": "catalog",
        "store": "ok",
        "bus": "ok",
        "readStore": "ok",
    }


async def test_not_ready_while_the_event_store_is_unreachable(tmp_path: Path) -> None:
    services = ContextServices(
        store=SqlEventStore("postgresql+asyncpg://pos:pos@127.0.0.1:1/nowhere"),
        transport=InProcessTransport(),
        mongo_url=MONGO_URL,
        database="h6_unused",
    )
    app = create_subgraph_app("catalog", CATALOG.graphql_app(services), services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://subgraph"
    ) as client:
        ready = await client.get("/ready")
        assert (await client.get("/health")).status_code == 200
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable"
    assert body["store"].startswith("unavailable")
    await services.store.close()


async def test_rebuild_replays_the_store_into_the_same_read_model(h: Harness) -> None:
    category = await create_category(h)
    made = [await add_product(h, category["id"]) for _ in range(3)]
    await h.data(
        "catalog", "mutation($id: ID!) { deactivateProduct(id: $id) { id } }", {"id": made[0]["id"]}
    )
    before = sorted(
        (p.model_dump() for p in await ProductView.find_all().to_list()), key=lambda d: d["id"]
    )
    assert "catalog.view" in projection_names(h.services)
    report = await rebuild_projection("catalog.view", h.services)
    assert report.failed == []
    assert report.applied >= 7
    after = sorted(
        (p.model_dump() for p in await ProductView.find_all().to_list()), key=lambda d: d["id"]
    )
    assert after == before
    with pytest.raises(LookupError, match=r"known projections: .*catalog\.view"):
        await rebuild_projection("no.such.projection", h.services)


async def test_replay_on_start_recovers_events_the_bus_never_delivered(tmp_path: Path) -> None:
    from uuid import uuid4

    from subgraphs.catalog.application import AddProduct, CatalogHandlers, CreateCategory
    from subgraphs.hosting.running import start_context, stop_context

    store = SqlEventStore(f"sqlite+aiosqlite:///{tmp_path / 'events.db'}")
    services = ContextServices(
        store=store,
        transport=InProcessTransport(),
        mongo_url=MONGO_URL,
        database="unused",
        database_prefix=f"h6_{uuid4().hex[:10]}",
        replay_on_start=True,
    )
    await services.start()
    # Written while no relay ran: in the outbox, never on the (in-memory) bus.
    handlers = CatalogHandlers(store)
    category = (await handlers.create_category(CreateCategory(name="Replayed"))).value
    command = AddProduct(
        sku=f"RP-{uuid4().hex[:6]}",
        name="Late",
        category_id=category.id,
        unit_price="1",
        currency="EUR",
    )
    product = (await handlers.add_product(command)).value
    view = services.for_context("catalog")
    try:
        await start_context(CATALOG, view)
        found = await ProductView.get(product.id)
        assert found is not None and found.name == "Late"
    finally:
        await stop_context(view)
        from pymongo import AsyncMongoClient

        mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(MONGO_URL)
        await mongo.drop_database(view.database)
        await mongo.close()
        await services.stop()

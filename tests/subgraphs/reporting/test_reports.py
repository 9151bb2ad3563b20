"""The reporting subgraph over a live shop: every report, its entity extensions, and
a rebuild from the event store that gives exactly the live answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from eventbus.projection import rebuild
from subgraphs import CONTEXTS
from subgraphs.reporting import context as reporting
from tests.subgraphs.saga.stack import open_stack
from tests.subgraphs.saga.world import World, build_world

SCHEMA_FILE = Path(__file__).parents[3] / "schema" / "reporting.graphql"
CONTEXT_NAMES = ("catalog", "inventory", "customers", "ordering", "reporting")
TODAY = datetime.now(UTC).date()

REPORTS = """query($from: Date!, $to: Date!) {
  dailySales(from: $from, to: $to) { day orderCount revenue { amount currency } }
  byQuantity: topProducts(limit: 5) {
    product { id } sku name unitsSold revenue { amount currency }
  }
  byRevenue: topProducts(limit: 1, by: REVENUE, from: $from, to: $to) { sku }
  topCustomers(limit: 3) { customer { id } name paidOrderCount lifetimeValue { amount } }
  stockValuation {
    lines { product { id } sku onHand unitPrice { amount } value { amount currency } }
    totals { amount currency }
  }
}"""


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    contexts = [CONTEXTS[name] for name in CONTEXT_NAMES]
    async with open_stack(contexts, tmp_path=tmp_path_factory.mktemp("reporting")) as stack:
        shop = await build_world(stack)
        # Paid and shipped: 2 tea + 1 mug = 19.99; paid: 3 tea = 10.50;
        # paid then cancelled (refunded, not counted); rejected; confirmed, never paid.
        shipped = await shop.place((shop.tea, 2), (shop.mug, 1))
        paid = await shop.place((shop.tea, 3))
        refunded = await shop.place((shop.mug, 1))
        await shop.place((shop.rare, 9))
        await shop.place((shop.tea, 1))
        await stack.settle()
        await shop.pay(shipped)
        await shop.ship(shipped["id"])
        await shop.pay(paid, "CASH")
        await shop.pay(refunded)
        await shop.cancel(refunded["id"])
        await stack.settle()
        yield shop


async def reports(world: World) -> dict[str, Any]:
    variables = {"from": (TODAY - timedelta(days=1)).isoformat(), "to": TODAY.isoformat()}
    return await world.stack.data("reporting", REPORTS, variables)


async def test_daily_sales_count_paid_orders_only(world: World) -> None:
    days = (await reports(world))["dailySales"]
    assert days == [
        {"day": (TODAY - timedelta(days=1)).isoformat(), "orderCount": 0, "revenue": []},
        {
            "day": TODAY.isoformat(),
            "orderCount": 2,
            "revenue": [{"amount": "30.49", "currency": "EUR"}],
        },
    ]


async def test_top_products_by_quantity_and_revenue(world: World) -> None:
    data = await reports(world)
    assert [(p["sku"], p["unitsSold"], p["revenue"]) for p in data["byQuantity"]] == [
        ("TEA-1", 5, [{"amount": "17.50", "currency": "EUR"}]),
        ("MUG-1", 1, [{"amount": "12.99", "currency": "EUR"}]),
    ]
    assert data["byQuantity"][0]["product"] == {"id": world.tea}
    assert data["byRevenue"] == [{"sku": "TEA-1"}]


async def test_top_customers_by_lifetime_value(world: World) -> None:
    assert (await reports(world))["topCustomers"] == [
        {
            "customer": {"id": world.customer},
            "name": "Saga Shopper",
            "paidOrderCount": 2,
            "lifetimeValue": [{"amount": "30.49"}],
        }
    ]


async def test_stock_valuation_values_on_hand_at_catalog_prices(world: World) -> None:
    valuation = (await reports(world))["stockValuation"]
    lines = {line["sku"]: line for line in valuation["lines"]}
    # Tea: 10 received, 2 shipped -> 8 on hand (reserved units are still on hand).
    assert (lines["TEA-1"]["onHand"], lines["TEA-1"]["value"]) == (
        8,
        {"amount": "28.00", "currency": "EUR"},
    )
    assert (lines["MUG-1"]["onHand"], lines["MUG-1"]["value"]["amount"]) == (4, "51.96")
    assert (lines["RARE-1"]["onHand"], lines["RARE-1"]["value"]["amount"]) == (1, "99.00")
    total = sum(Decimal(line["value"]["amount"]) for line in lines.values())
    assert valuation["totals"] == [{"amount": str(total), "currency": "EUR"}]


async def test_entity_extensions(world: World) -> None:
    data = await world.stack.data(
        "reporting",
        """query($r: [_Any!]!) { _entities(representations: $r) {
             ... on Customer { id lifetimeValue { amount currency } paidOrderCount }
             ... on Product { id salesFigures { unitsSold revenue { amount } } } } }""",
        {
            "r": [
                {"__typename": "Customer", "id": world.customer},
                {"__typename": "Product", "id": world.mug},
                {"__typename": "Product", "id": world.rare},
            ]
        },
    )
    assert data["_entities"] == [
        {
            "id": world.customer,
            "lifetimeValue": [{"amount": "30.49", "currency": "EUR"}],
            "paidOrderCount": 2,
        },
        {"id": world.mug, "salesFigures": {"unitsSold": 1, "revenue": [{"amount": "12.99"}]}},
        {"id": world.rare, "salesFigures": {"unitsSold": 0, "revenue": []}},
    ]


async def test_bad_arguments_are_precise_errors(world: World) -> None:
    body = await world.stack.gql(
        "reporting", '{ dailySales(from: "2026-01-10", to: "2026-01-01") { day } }'
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "before `from`" in body["errors"][0]["message"]
    body = await world.stack.gql(
        "reporting", '{ dailySales(from: "2020-01-01", to: "2026-01-01") { day } }'
    )
    assert "at most 366 days" in body["errors"][0]["message"]
    body = await world.stack.gql("reporting", "{ topProducts(limit: 0) { sku } }")
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "limit"}


async def test_rebuild_equals_the_live_result(world: World) -> None:
    live = await reports(world)
    view = world.stack.views["reporting"]
    for runner in view.runners:
        await rebuild(world.stack.store, runner.projection)
    assert await reports(world) == live


async def test_service_sdl_matches_the_committed_file(world: World) -> None:
    served = (await world.stack.data("reporting", "{ _service { sdl } }"))["_service"]["sdl"]
    assert served.rstrip("\n") + "\n" == reporting.sdl() == SCHEMA_FILE.read_text()
    assert 'type Product @key(fields: "id")' in served and "@shareable" in served

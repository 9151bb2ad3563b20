"""The demo seed's shop floor: shelf stock at S01, three closed days and today's open
shift at both registers, a return, an approved discount, one drawer 50 cents short; the
reports show it and reconcile with the Z reports; a second run writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from subgraphs import CONTEXTS
from subgraphs.seed import seed
from subgraphs.seed.data import PRODUCTS, seed_id
from subgraphs.seed.shop_floor import SHELF_SHARE
from subgraphs.stores.application.demo import demo_store_id
from tests.subgraphs.saga.stack import open_stack

NAMES = ("catalog", "inventory", "customers", "ordering", "reporting", "stores", "sales")
AMS = demo_store_id("S01")


async def test_the_seed_rings_up_a_few_days_at_two_registers(tmp_path: Path) -> None:
    async with open_stack([CONTEXTS[n] for n in NAMES], tmp_path=tmp_path) as stack:
        report = await seed(stack.views)
        assert report.created and report.sales == 2 * (3 * 5 + 2)
        await stack.settle()
        shifts = await stack.data(
            "sales",
            """query($s: ID!) { shifts(storeId: $s, first: 50) { totalCount nodes {
                 status zReport { tenders { kind expected { amount } counted { amount }
                 overShort { amount } } } } } }""",
            {"s": AMS},
        )
        nodes = shifts["shifts"]["nodes"]
        assert shifts["shifts"]["totalCount"] == 8
        assert sorted(n["status"] for n in nodes) == ["CLOSED"] * 6 + ["OPEN"] * 2
        short = [
            t["overShort"]["amount"]
            for n in nodes
            if n["zReport"]
            for t in n["zReport"]["tenders"]
            if t["overShort"]["amount"] != "0.00"
        ]
        assert short == ["-0.50"]
        sales = await stack.data(
            "sales",
            """query($s: ID!) { sales(storeId: $s, status: COMPLETED, first: 100) {
                 totalCount nodes { id discounts { approvedBy { id } } } } }""",
            {"s": AMS},
        )
        assert sales["sales"]["totalCount"] == report.sales
        assert any(
            n["discounts"] and n["discounts"][0]["approvedBy"] for n in sales["sales"]["nodes"]
        )
        today = datetime.now(UTC).date()
        days = {"s": AMS, "from": str(today - timedelta(days=3)), "to": str(today)}
        reports = await stack.data(
            "reporting",
            """query($s: ID!, $from: Date!, $to: Date!) {
                 storeSales(storeId: $s, from: $from, to: $to, groupBy: DAY) {
                   day saleCount returnCount gross { amount } }
                 shiftOverShort(storeId: $s, from: $from, to: $to) { overShort { amount } } }""",
            days,
        )
        by_day = reports["storeSales"]
        assert sum(d["saleCount"] for d in by_day) == report.sales
        assert sum(d["returnCount"] for d in by_day) == 2  # one per register, on day 2
        assert len(reports["shiftOverShort"]) == 6
        total_short = sum(Decimal(s["overShort"]["amount"]) for s in reports["shiftOverShort"])
        assert total_short == Decimal("-0.50")
        product = seed_id("product", PRODUCTS[0].sku)
        stock = await stack.data(
            "inventory",
            "query($p: ID!, $l: ID) { stockItem(productId: $p, locationId: $l) { onHand } }",
            {"p": product, "l": AMS},
        )
        assert stock["stockItem"]["onHand"] <= PRODUCTS[0].stock // SHELF_SHARE

        events = len(await stack.store.read_all(0, 100_000))
        again = await seed(stack.views)
        assert not again.created
        assert len(await stack.store.read_all(0, 100_000)) == events

"""The demo seed, loaded through the commands into a running embedded stack."""

from __future__ import annotations

from pathlib import Path

import pytest

from subgraphs import CONTEXTS
from subgraphs.seed import SeedError, seed
from tests.subgraphs.saga.stack import open_stack

CONTEXT_NAMES = ("catalog", "inventory", "customers", "ordering", "reporting")


async def test_seed_loads_a_shop_with_orders_in_every_status(tmp_path: Path) -> None:
    contexts = [CONTEXTS[name] for name in CONTEXT_NAMES]
    async with open_stack(contexts, tmp_path=tmp_path) as stack:
        report = await seed(stack.views)
        assert report.created
        assert (report.categories, report.products, report.customers) == (5, 50, 15)
        assert report.orders == {
            "SHIPPED": 5,
            "PAID": 4,
            "CONFIRMED": 3,
            "REJECTED": 3,
            "CANCELLED": 3,
            "PENDING": 2,
        }
        await stack.settle()
        counts = await stack.data(
            "ordering",
            """{ shipped: orders(status: SHIPPED) { totalCount }
                 paid: orders(status: PAID) { totalCount }
                 rejected: orders(status: REJECTED) {
                   totalCount nodes { rejectionReasons { reason } } }
                 cancelled: orders(status: CANCELLED) { totalCount }
                 all: orders { totalCount } }""",
        )
        assert counts["shipped"]["totalCount"] == 5
        assert counts["paid"]["totalCount"] == 4
        assert counts["rejected"]["totalCount"] == 3
        assert all(n["rejectionReasons"] for n in counts["rejected"]["nodes"])
        assert counts["cancelled"]["totalCount"] == 3
        # The two PENDING ones have been answered by the saga by now.
        assert counts["all"]["totalCount"] == 20
        customers = await stack.data("customers", "{ customers(first: 100) { totalCount } }")
        assert customers["customers"]["totalCount"] == 15
        products = await stack.data("catalog", "{ products(first: 100) { totalCount } }")
        assert products["products"]["totalCount"] == 50
        reports = await stack.data(
            "reporting",
            "{ topProducts(limit: 3) { sku unitsSold }"
            " stockValuation { lines { sku } totals { amount } } }",
        )
        assert len(reports["topProducts"]) == 3
        assert len(reports["stockValuation"]["lines"]) == 50

        events = len(await stack.store.read_all(0, 100_000))
        again = await seed(stack.views)
        assert not again.created and "already complete" in again.message
        # The two orders left PENDING by the first run have been answered by the saga since.
        expected = {k: v for k, v in report.orders.items() if k != "PENDING"}
        assert again.orders == {**expected, "CONFIRMED": 5}
        assert len(await stack.store.read_all(0, 100_000)) == events


async def test_seed_names_what_is_missing() -> None:
    with pytest.raises(SeedError, match="catalog, inventory, customers, ordering"):
        await seed({})


async def test_seed_says_when_the_saga_is_not_running(tmp_path: Path) -> None:
    contexts = [CONTEXTS[name] for name in CONTEXT_NAMES]
    async with open_stack(contexts, tmp_path=tmp_path, run_reactors=False) as stack:
        with pytest.raises(SeedError, match="still PENDING after 1s: inventory's saga reactor"):
            await seed(stack.views, saga_timeout=1.0)

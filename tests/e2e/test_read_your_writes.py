"""Read-your-writes across subgraphs, on real services (docs/consistency.md).

A cashier completes a sale (sales subgraph); the manager's report (reporting subgraph,
which projects pos.sales events over Kafka on its own) is read right after. With the
mutation's consistency token the report never misses the sale; without it, it can.

To make "can" show up every run rather than by luck, the reporting projection of sales
is slowed by 300 ms per event, in this process only (an honest stand-in for a busy
projector). The token's wait (2 s bound) covers that; the plain query does not wait.
Every subgraph is its own uvicorn server on PostgreSQL, Kafka and FerretDB
(`services_stack`); the gateway calls them over HTTP.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from eventbus import Envelope
from subgraphs.reporting.projections import SaleFacts
from tests.e2e.stacks import services_stack
from tests.e2e.test_shop_day import (
    ANNA,
    MAX,
    Day,
    authorization,
    cid,
    eur,
    open_till,
)
from tests.subgraphs.sales.shop import ADD_LINE, COMPLETE, START, TENDER, ean13

ROUNDS = 20
PROJECTION_DELAY = 0.3

REPORT = """query($s: ID!, $d: Date!) {
  storeSales(storeId: $s, from: $d, to: $d, groupBy: STORE) { saleCount } }"""


async def report(day: Day, till: Till, headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = await day.stack.gateway.post(
        "/graphql",
        json={"query": REPORT, "variables": {"s": till.store, "d": str(datetime.now(UTC).date())}},
        headers={"authorization": authorization(MAX), **(headers or {})},
    )
    body: dict[str, Any] = response.json()
    return body


def sale_count(body: dict[str, Any]) -> int:
    assert not body.get("errors"), body["errors"]
    rows = body["data"]["storeSales"]
    return int(rows[0]["saleCount"]) if rows else 0


@dataclass
class Till:
    store: str
    register: str
    product: dict[str, Any]


async def open_a_till(day: Day) -> Till:
    """A store of its own with one register (open, ANNA's) and one product in stock. Names
    are unique: the session's event store is shared by every test, and a test's topics
    are its own (a store opened by an earlier test is unknown to this one's projections)."""
    tag = uuid4().hex[:6].upper()
    region = f"XR-{tag}"
    await day.data(
        """mutation($c: String!) { defineTaxRegion(input: {code: $c, name: "Test region",
             rates: [{taxClass: "STANDARD", ratePercent: "21"}]}) { code } }""",
        {"c": region},
    )
    opened = await day.data(
        """mutation($i: OpenStoreInput!) { openStore(input: $i) { id } }""",
        {
            "i": {
                "code": f"R{tag}",
                "name": f"Till {tag}",
                "address": {
                    "line1": "Coolsingel 1",
                    "city": "Rotterdam",
                    "postalCode": "3011 AD",
                    "country": "NL",
                },
                "currency": "EUR",
                "taxRegion": region,
                "pricingMode": "TAX_INCLUSIVE",
                "rounding": {"level": "PER_LINE", "mode": "HALF_EVEN"},
            }
        },
    )
    store = opened["openStore"]["id"]
    added = await day.data(
        """mutation($s: ID!) { addRegister(input: {storeId: $s, code: "R1"}) { id } }""",
        {"s": store},
    )
    register = added["addRegister"]["id"]
    category = await day.data(
        "mutation($n: String!) { createCategory(input: {name: $n}) { id } }", {"n": f"RYW {tag}"}
    )
    made = await day.data(
        """mutation($i: AddProductInput!) { addProduct(input: $i) { id barcode } }""",
        {
            "i": {
                "sku": f"RYW-{tag}",
                "name": f"Espresso {tag}",
                "categoryId": category["createCategory"]["id"],
                "unitPrice": eur("2.50"),
                "barcode": ean13("87" + f"{uuid4().int % 10**10:010d}"),
                "taxClass": "STANDARD",
            }
        },
    )
    product: dict[str, Any] = made["addProduct"]

    async def receive() -> Any:
        return await day.data(
            """mutation($p: ID!, $l: ID) { receiveStock(input: {productId: $p, quantity: 500,
                 receipt: "DN-RYW", locationId: $l}) { onHand } }""",
            {"p": product["id"], "l": store},
        )

    await day.eventually(receive, "inventory knows the store and the product")
    await open_till(day, register, ANNA, "100.00")
    return Till(store, register, product)


async def sell_one(day: Day, till: Till) -> dict[str, Any]:
    """Start, scan, pay cash and complete one sale; the completion's whole response."""
    sale = (await day.data(START, {"c": cid(), "r": till.register}, ANNA))["startSale"]

    async def add() -> Any:
        return await day.data(
            ADD_LINE, {"c": cid(), "s": sale["id"], "b": till.product["barcode"]}, ANNA
        )

    await day.eventually(add, "sales knows the product")
    tender = {"c": cid(), "s": sale["id"], "k": "CASH", "a": eur("100.00"), "ref": None}
    await day.data(TENDER, tender, ANNA)
    done = await day.gql(COMPLETE, {"c": cid(), "s": sale["id"]}, ANNA)
    assert not done.get("errors"), done["errors"]
    return done


def slowed(monkeypatch: pytest.MonkeyPatch, delay: float) -> None:
    """Reporting folds each completed sale `delay` seconds late (this process only)."""
    apply = SaleFacts.apply

    async def slow_apply(self: SaleFacts, envelope: Envelope) -> None:
        if envelope.type.startswith("pos.sales.SaleCompleted."):
            await asyncio.sleep(delay)
        await apply(self, envelope)

    monkeypatch.setattr(SaleFacts, "apply", slow_apply)


async def test_a_sale_is_in_the_report_read_with_its_token_and_can_be_missing_without(
    h6_pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with services_stack(h6_pg_url) as stack:
        day = Day(stack)
        till = await open_a_till(day)
        counted = sale_count(await report(day, till))  # this run's topics: nothing sold yet
        slowed(monkeypatch, PROJECTION_DELAY)

        stale_without, waits = 0, []
        for _ in range(ROUNDS):
            done = await sell_one(day, till)
            counted += 1
            token = done["extensions"]["consistency"]
            assert token.startswith("sales:"), done["extensions"]

            plain = await report(day, till)  # what a client without the token sees
            if sale_count(plain) < counted:
                stale_without += 1
            assert "consistencyWait" not in (plain.get("extensions") or {})

            fresh = await report(day, till, {"POS-Consistency": token})
            assert sale_count(fresh) == counted, f"stale with the token {token}: {fresh}"
            wait = fresh["extensions"]["consistencyWait"]
            assert wait["reached"] is True, wait
            waits.append(wait["waitedMs"])

        # the token in the request's extensions works the same
        done = await sell_one(day, till)
        counted += 1
        response = await stack.gateway.post(
            "/graphql",
            json={
                "query": REPORT,
                "variables": {"s": till.store, "d": str(datetime.now(UTC).date())},
                "extensions": {"consistency": done["extensions"]["consistency"]},
            },
            headers={"authorization": authorization(MAX)},
        )
        assert sale_count(response.json()) == counted

        # a token whose events are projected already: the check is all it costs
        again = await report(day, till, {"POS-Consistency": token})
        caught_up = again["extensions"]["consistencyWait"]
        assert caught_up["reached"] is True and caught_up["waitedMs"] < 500, caught_up

        assert stale_without >= 1, "without the token the report was never behind"
        print(  # measured: how long the token made the report wait
            f"stale without token: {stale_without}/{ROUNDS}; "
            f"waited with token: max {max(waits)} ms, median {sorted(waits)[len(waits) // 2]} ms;"
            f" caught up already: {caught_up['waitedMs']} ms"
        )


async def test_a_malformed_token_is_refused_and_a_bound_past_says_so(
    h6_pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POS_CONSISTENCY_WAIT_MS", "100")  # the gateway's bound, at start
    async with services_stack(h6_pg_url) as stack:
        day = Day(stack)
        till = await open_a_till(day)
        refused = await report(day, till, {"POS-Consistency": "sales:latest"})
        assert "data" not in refused
        [error] = refused["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "extensions.consistency" in error["message"]

        slowed(monkeypatch, 3.0)
        done = await sell_one(day, till)
        late = await report(day, till, {"POS-Consistency": done["extensions"]["consistency"]})
        assert sale_count(late) == 0  # answered all the same, and says it may be stale:
        wait = late["extensions"]["consistencyWait"]
        assert wait["reached"] is False and wait["behind"] == ["reporting"], wait
        assert 100 <= wait["waitedMs"] < 1000, wait

"""The shop-floor reports over a day at two registers (see `shop_day.py`): every report
to the cent, the reports agreeing with each other and with the Z reports, redelivery
changing nothing, a rebuild giving the live answers, and `reports:read` required."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from eventbus.projection import rebuild
from subgraphs import CONTEXTS
from subgraphs.stores.application.demo import demo_store_id, seed_demo_stores
from tests.gateway_identity import identity_headers
from tests.subgraphs.catalog.queries import add_product, create_category
from tests.subgraphs.hosting.harness import Harness, running
from tests.subgraphs.reporting.shop_day import (
    ALICE,
    BOB,
    DAY,
    SUE,
    Item,
    ShopDay,
    TaxClass,
    play_the_day,
)

AMS, NYC = demo_store_id("S01"), demo_store_id("S02")
WINDOW = {"from": DAY.isoformat(), "to": DAY.isoformat()}
M = "{ amount currency }"
SALES = f"""query($store: ID, $from: Date!, $to: Date!, $by: SalesGrouping!) {{
  storeSales(storeId: $store, from: $from, to: $to, groupBy: $by) {{
    store {{ id }} register {{ id }} cashier {{ id }} shiftId hour day currency
    saleCount gross {M} net {M} tax {M} discounts {M} returnCount refunds {M}
    refundedTax {M} grossAfterReturns {M} netAfterReturns {M} }} }}"""
STORE_REPORTS = f"""query($store: ID!, $from: Date!, $to: Date!) {{
  tenderMix(storeId: $store, from: $from, to: $to) {{
    currency tenders {{ tender payments tendered {M} change {M} refunded {M} net {M} }}
    changeGiven {M} cashRounding {M} refundCashRounding {M} takings {M} }}
  taxesCollected(storeId: $store, from: $from, to: $to) {{
    day taxClass rate currency net {M} tax {M} gross {M} refundedNet {M} refundedTax {M}
    collected {M} }}
  discountsGiven(storeId: $store, from: $from, to: $to) {{
    reason approvedBy {{ id }} promotionCode currency count amount {M} }}
  returnsSummary(storeId: $store, from: $from, to: $to) {{
    currency returnCount withoutReceiptCount refunded {M} refundedTax {M} cashRounding {M}
    byTender {{ tender amount {M} }} unitsRestocked unitsWrittenOff }}
  byQuantity: topProductsAtStore(storeId: $store) {{ product {{ id }} sku unitsSold revenue {M} }}
  byRevenue: topProductsAtStore(storeId: $store, by: REVENUE, limit: 1, from: $from, to: $to) {{
    sku }}
  shiftOverShort(storeId: $store, from: $from, to: $to) {{
    shiftId register {{ id }} openedBy {{ id }} closedBy {{ id }} currency openingFloat {M}
    saleCount refundCount voidCount overShort {M}
    tenders {{ tender expected {M} counted {M} overShort {M} }} }}
  stockValuationByStore {{ locationId store {{ id }} totals {M}
    lines {{ product {{ id }} sku onHand unitPrice {M} value {M} }} }}
}}"""
RECEIVE = """mutation($id: ID!, $q: Int!, $loc: ID) {
  receiveStock(input: {productId: $id, quantity: $q, receipt: "DN-1", locationId: $loc}) {
    onHand } }"""


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


@pytest.fixture(scope="module")
async def day(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Harness, ShopDay]]:
    contexts = [CONTEXTS[name] for name in ("catalog", "inventory", "reporting")]
    async with running(
        contexts, backend="sqlite", tmp_path=tmp_path_factory.mktemp("shop-reports")
    ) as h:
        await seed_demo_stores(h.store)
        await h.settle()
        category = (await create_category(h))["id"]
        tea_p = await add_product(h, category, sku="TEA-AMS", name="Tea", amount="3.50")
        coffee_p = await add_product(h, category, sku="COF-AMS", name="Coffee", amount="8.99")
        await h.settle()
        for pid, quantity, location in (
            (tea_p["id"], 10, AMS),
            (coffee_p["id"], 5, AMS),
            (tea_p["id"], 4, None),
        ):
            await h.data("inventory", RECEIVE, {"id": pid, "q": quantity, "loc": location})
        tea = Item(tea_p["id"], "TEA-AMS", "Tea", "3.50", TaxClass.STANDARD)
        coffee = Item(coffee_p["id"], "COF-AMS", "Coffee", "8.99", TaxClass.REDUCED)
        shop = await play_the_day(h, AMS, NYC, tea, coffee)
        await h.settle()
        yield h, shop


async def sales(h: Harness, by: str, store: str | None = AMS) -> list[dict[str, Any]]:
    data = await h.data("reporting", SALES, {**WINDOW, "store": store, "by": by})
    rows: list[dict[str, Any]] = data["storeSales"]
    return rows


async def store_reports(h: Harness, store: str = AMS) -> dict[str, Any]:
    return await h.data("reporting", STORE_REPORTS, {**WINDOW, "store": store})


async def everything(h: Harness) -> dict[str, Any]:
    out: dict[str, Any] = {"reports": await store_reports(h)}
    for by in ("STORE", "REGISTER", "CASHIER", "SHIFT", "HOUR", "DAY"):
        out[by] = await sales(h, by, None)
    return out


async def test_the_store_day_to_the_cent(day: tuple[Harness, ShopDay]) -> None:
    h, _ = day
    [row] = await sales(h, "DAY")
    assert row == {
        "store": {"id": AMS},
        "register": None,
        "cashier": None,
        "shiftId": None,
        "hour": None,
        "day": DAY.isoformat(),
        "currency": "EUR",
        "saleCount": 3,
        "gross": eur("33.23"),
        "net": eur("28.90"),
        "tax": eur("4.33"),
        "discounts": eur("2.25"),
        "returnCount": 1,
        "refunds": eur("12.49"),
        "refundedTax": eur("1.35"),
        "grossAfterReturns": eur("20.74"),
        "netAfterReturns": eur("17.76"),
    }


async def test_breakdowns_by_register_cashier_shift_and_hour(
    day: tuple[Harness, ShopDay],
) -> None:
    h, shop = day

    def brief(rows: list[dict[str, Any]], key: str) -> dict[Any, tuple[Any, ...]]:
        return {
            (r[key]["id"] if isinstance(r[key], dict) else r[key]): (
                r["saleCount"],
                r["gross"]["amount"],
                r["returnCount"],
                r["refunds"]["amount"],
            )
            for r in rows
        }

    assert brief(await sales(h, "REGISTER"), "register") == {
        "reg-ams-1": (2, "26.49", 1, "12.49"),
        "reg-ams-2": (1, "6.74", 0, "0.00"),
    }
    assert brief(await sales(h, "CASHIER"), "cashier") == {
        ALICE: (2, "26.49", 1, "12.49"),
        BOB: (1, "6.74", 0, "0.00"),
    }
    assert brief(await sales(h, "SHIFT"), "shiftId") == {
        shop.shift_r1.id: (2, "26.49", 1, "12.49"),
        shop.shift_r2.id: (1, "6.74", 0, "0.00"),
    }
    assert brief(await sales(h, "HOUR"), "hour") == {
        9: (1, "15.99", 0, "0.00"),
        10: (1, "6.74", 0, "0.00"),
        11: (1, "10.50", 0, "0.00"),
        14: (0, "0.00", 1, "12.49"),
    }
    stores = await sales(h, "STORE", None)
    assert [(r["store"]["id"], r["currency"], r["gross"]) for r in stores] == sorted(
        [(AMS, "EUR", eur("33.23")), (NYC, "USD", {"amount": "4.36", "currency": "USD"})]
    )
    nothing = await h.data(
        "reporting", SALES, {"from": "2026-03-03", "to": "2026-03-09", "store": AMS, "by": "DAY"}
    )
    assert nothing["storeSales"] == []


async def test_tender_mix_taxes_discounts_and_returns(day: tuple[Harness, ShopDay]) -> None:
    h, _ = day
    data = await store_reports(h)
    [mix] = data["tenderMix"]
    assert mix["tenders"] == [
        {
            "tender": "CASH",
            "payments": 2,
            "tendered": eur("17.00"),
            "change": eur("4.25"),
            "refunded": eur("12.50"),
            "net": eur("0.25"),
        },
        {
            "tender": "CARD",
            "payments": 2,
            "tendered": eur("20.50"),
            "change": eur("0.00"),
            "refunded": eur("0.00"),
            "net": eur("20.50"),
        },
    ]
    assert (mix["changeGiven"], mix["cashRounding"], mix["refundCashRounding"]) == (
        eur("4.25"),
        eur("0.02"),
        eur("0.01"),
    )
    assert mix["takings"] == eur("20.75")
    assert [
        (
            t["taxClass"],
            t["rate"],
            *(t[k]["amount"] for k in ("gross", "tax", "net", "refundedTax", "collected")),
        )
        for t in data["taxesCollected"]
    ] == [
        ("STANDARD", "21", "17.50", "3.03", "14.47", "0.61", "2.42"),
        ("REDUCED", "9", "15.73", "1.30", "14.43", "0.74", "0.56"),
    ]
    assert {t["day"] for t in data["taxesCollected"]} == {DAY.isoformat()}
    assert data["discountsGiven"] == [
        {
            "reason": "damaged packaging",
            "approvedBy": {"id": SUE},
            "promotionCode": None,
            "currency": "EUR",
            "count": 1,
            "amount": eur("2.25"),
        }
    ]
    assert data["returnsSummary"] == [
        {
            "currency": "EUR",
            "returnCount": 1,
            "withoutReceiptCount": 0,
            "refunded": eur("12.49"),
            "refundedTax": eur("1.35"),
            "cashRounding": eur("0.01"),
            "byTender": [{"tender": "CASH", "amount": eur("12.50")}],
            "unitsRestocked": 1,
            "unitsWrittenOff": 1,
        }
    ]


async def test_top_products_at_the_store(day: tuple[Harness, ShopDay]) -> None:
    h, shop = day
    data = await store_reports(h)
    assert data["byQuantity"] == [
        {"product": {"id": shop.tea.product_id}, "sku": "TEA-AMS", "unitsSold": 5,
         "revenue": [eur("17.50")]},
        {"product": {"id": shop.coffee.product_id}, "sku": "COF-AMS", "unitsSold": 2,
         "revenue": [eur("15.73")]},
    ]  # fmt: skip
    assert data["byRevenue"] == [{"sku": "TEA-AMS"}]
    us = await store_reports(h, NYC)
    assert [(p["sku"], p["unitsSold"]) for p in us["byQuantity"]] == [("TEA-AMS", 1)]


async def test_shift_over_short_from_the_z_reports(day: tuple[Harness, ShopDay]) -> None:
    h, shop = day
    r1, r2 = (await store_reports(h))["shiftOverShort"]
    assert (r1["shiftId"], r1["register"], r1["openedBy"], r1["closedBy"]) == (
        shop.shift_r1.id,
        {"id": "reg-ams-1"},
        {"id": ALICE},
        {"id": ALICE},
    )
    assert (r1["openingFloat"], r1["saleCount"], r1["refundCount"], r1["voidCount"]) == (
        eur("100.00"),
        2,
        1,
        0,
    )
    assert r1["tenders"] == [
        {"tender": "CASH", "expected": eur("93.50"), "counted": eur("93.45"),
         "overShort": eur("-0.05")},
        {"tender": "CARD", "expected": eur("20.50"), "counted": eur("20.50"),
         "overShort": eur("0.00")},
    ]  # fmt: skip
    assert r1["overShort"] == eur("-0.05")
    assert (r2["shiftId"], r2["closedBy"], r2["overShort"]) == (
        shop.shift_r2.id,
        {"id": BOB},
        eur("0.00"),
    )
    assert [t["expected"] for t in r2["tenders"]] == [eur("56.75"), eur("0.00")]


async def test_the_reports_reconcile_with_each_other(day: tuple[Harness, ShopDay]) -> None:
    h, _ = day
    data = await store_reports(h)
    [total] = await sales(h, "STORE")
    registers = await sales(h, "REGISTER")
    [mix] = data["tenderMix"]
    taxes = data["taxesCollected"]

    def d(money: dict[str, str]) -> Decimal:
        return Decimal(money["amount"])

    for key in ("gross", "tax", "net", "refunds", "netAfterReturns"):
        assert sum(d(r[key]) for r in registers) == d(total[key]), key
    assert sum(d(t["gross"]) for t in taxes) == d(total["gross"])
    assert sum(d(t["tax"]) for t in taxes) == d(total["tax"])
    assert sum(d(t["net"]) for t in taxes) == d(total["net"])
    assert sum(d(t["refundedTax"]) for t in taxes) == d(total["refundedTax"])
    assert sum(d(t["net"]) - d(t["refundedNet"]) for t in taxes) == d(total["netAfterReturns"])
    # what the tenders took = sales after returns + the cash rounding either way
    assert d(mix["takings"]) == (
        d(total["grossAfterReturns"]) + d(mix["cashRounding"]) - d(mix["refundCashRounding"])
    )
    [returns] = data["returnsSummary"]
    assert d(returns["refunded"]) == d(total["refunds"])
    assert sum(d(t["refunded"]) for t in mix["tenders"]) == sum(
        d(t["amount"]) for t in returns["byTender"]
    )
    # each drawer's expected cash: its float + what the cash tenders left in it
    shifts = data["shiftOverShort"]
    cash_expected = sum(d(s["tenders"][0]["expected"]) for s in shifts)
    floats = sum(d(s["openingFloat"]) for s in shifts)
    assert cash_expected == floats + d(mix["tenders"][0]["net"])
    card_expected = sum(d(s["tenders"][1]["expected"]) for s in shifts)
    assert card_expected == d(mix["tenders"][1]["net"])
    assert sum(d(s["overShort"]) for s in shifts) == Decimal("-0.05")


async def test_stock_valuation_per_location(day: tuple[Harness, ShopDay]) -> None:
    h, _ = day
    locations = {v["locationId"]: v for v in (await store_reports(h))["stockValuationByStore"]}
    assert next(iter(locations)) == "MAIN" and locations["MAIN"]["store"] is None
    assert locations["MAIN"]["totals"] == [eur("14.00")]
    ams = locations[AMS]
    assert ams["store"] == {"id": AMS}
    # tea 10 - 5 sold + 1 restocked; coffee 5 - 2 sold (the written-off one stays out)
    assert [(ln["sku"], ln["onHand"], ln["value"]) for ln in ams["lines"]] == [
        ("COF-AMS", 3, eur("26.97")),
        ("TEA-AMS", 6, eur("21.00")),
    ]
    assert ams["totals"] == [eur("47.97")]
    # New York sold a tea it never booked in: -1 at the catalog price
    assert [(ln["sku"], ln["onHand"]) for ln in locations[NYC]["lines"]] == [("TEA-AMS", -1)]
    only = await h.data(
        "reporting",
        "query($l: ID) { stockValuationByStore(locationId: $l) { locationId totals { amount } } }",
        {"l": AMS},
    )
    assert only["stockValuationByStore"] == [{"locationId": AMS, "totals": [{"amount": "47.97"}]}]


async def test_redelivered_events_change_nothing(day: tuple[Harness, ShopDay]) -> None:
    h, shop = day
    before = await everything(h)
    streams = [s.id for s in shop.sales] + [r.id for r in shop.returns]
    streams += [shop.shift_r1.id, shop.shift_r2.id]
    for name in ("reporting.sales", "reporting.returns", "reporting.shifts"):
        projection = h.projection("reporting", name)
        for stream in streams:
            for envelope in await h.store.read_stream(stream):
                await projection.apply(envelope)
    assert await everything(h) == before


async def test_rebuild_equals_the_live_result(day: tuple[Harness, ShopDay]) -> None:
    h, _ = day
    live = await everything(h)
    for runner in h.views["reporting"].runners:
        await rebuild(h.store, runner.projection)
    assert await everything(h) == live


async def test_bad_windows_are_precise_errors(day: tuple[Harness, ShopDay]) -> None:
    h, _ = day
    body = await h.gql(
        "reporting", SALES, {"from": "2026-03-05", "to": "2026-03-01", "store": AMS, "by": "DAY"}
    )
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "to"}
    body = await h.gql(
        "reporting",
        '{ shiftOverShort(storeId: "x", from: "2020-01-01", to: "2026-01-01") { shiftId } }',
    )
    assert "at most 366 days" in body["errors"][0]["message"]
    body = await h.gql("reporting", '{ topProductsAtStore(storeId: "x", limit: 0) { sku } }')
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "limit"}


@pytest.mark.parametrize(
    "field",
    [
        '{ storeSales(from: "2026-03-02", to: "2026-03-02") { currency } }',
        '{ tenderMix(storeId: "s", from: "2026-03-02", to: "2026-03-02") { currency } }',
        '{ taxesCollected(storeId: "s", from: "2026-03-02", to: "2026-03-02") { rate } }',
        '{ discountsGiven(storeId: "s", from: "2026-03-02", to: "2026-03-02") { reason } }',
        '{ returnsSummary(storeId: "s", from: "2026-03-02", to: "2026-03-02") { currency } }',
        '{ topProductsAtStore(storeId: "s") { sku } }',
        "{ stockValuationByStore { locationId } }",
        '{ shiftOverShort(storeId: "s", from: "2026-03-02", to: "2026-03-02") { shiftId } }',
    ],
)
async def test_every_shop_report_needs_reports_read(
    day: tuple[Harness, ShopDay], field: str
) -> None:
    h, _ = day
    cashier = {"sub": "c-1", "scope": "sales:write orders:read"}
    for claims, refused in ((cashier, "FORBIDDEN"), (None, "UNAUTHENTICATED")):
        response = await h.clients["reporting"].post(
            "/graphql", json={"query": field}, headers=identity_headers(claims)
        )
        body = response.json()
        assert body.get("data") in (None, {}) or not any(body["data"].values()), body
        assert [e["extensions"]["code"] for e in body["errors"]] == [refused], body
    manager = {"sub": "m-1", "scope": "reports:read"}
    response = await h.clients["reporting"].post(
        "/graphql", json={"query": field}, headers=identity_headers(manager)
    )
    assert "errors" not in response.json(), response.json()

"""Selling through the sales subgraph (embedded mode: SQLite, in-process bus), with the
catalog and stores contexts feeding it their events: sales by barcode in a tax-inclusive
and a tax-exclusive store, split tenders with change, discounts and their approval,
promotions, park/resume, voids, retries with the same commandId, and bad input refused
with its code and reason, nothing written."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from subgraphs.sales.context import SALES
from tests.subgraphs.sales.shop import (
    ADD_LINE,
    AMS,
    ATTACH,
    CASHIER,
    COMPLETE,
    CREATE_PROMOTION,
    DISCOUNT,
    MANAGER,
    NYC,
    PARK,
    REDEEM,
    RESUME,
    SALE,
    START,
    SUPERVISOR,
    TENDER,
    VOID,
    Shop,
    cid,
    codes,
    ean13,
    eur,
    open_shop,
    reasons,
    usd,
)

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "schema" / "sales.graphql"


@pytest.fixture(scope="module")
async def shop(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Shop]:
    async with open_shop(tmp_path_factory.mktemp("sales")) as opened:
        yield opened


async def refused(
    shop: Shop, query: str, variables: dict[str, Any], claims: dict[str, Any] = CASHIER
) -> dict[str, Any]:
    """The answer of a command that must be refused, checking it wrote nothing."""
    before = await shop.events()
    body = await shop.gql(query, variables, claims=claims)
    assert body.get("errors"), body
    assert await shop.events() == before, "a refused command wrote events"
    return body


async def test_the_committed_sdl_is_what_the_subgraph_serves() -> None:
    assert SCHEMA_FILE.read_text().rstrip("\n") == SALES.sdl().rstrip("\n")


async def test_a_sale_by_barcode_in_a_tax_inclusive_store_rounds_cash(shop: Shop) -> None:
    """S01 (NL, prices include VAT, VAT per total half up, cash to 0.05)."""
    register = await shop.register(AMS)
    beans = await shop.product("12.49", tax_class="REDUCED", name="Beans")
    mug = await shop.product("8.00", name="Mug")
    shift = await shop.open_shift(register, "100.00", "EUR")
    sale = await shop.start(register)
    assert sale["status"] == "OPEN" and sale["currency"] == "EUR" and sale["lines"] == []
    await shop.scan(sale["id"], beans["barcode"], 2)
    sale = await shop.scan(sale["id"], mug["barcode"])
    assert [(x["id"], x["quantity"], x["taxClass"]) for x in sale["lines"]] == [
        ("L1", 2, "REDUCED"),
        ("L2", 1, "STANDARD"),
    ]
    assert sale["total"] == eur("32.98")
    # 24.98 incl. 9%: 24.98 x 9/109 = 2.0626 -> 2.06; 8.00 incl. 21%: 1.3884 -> 1.39
    assert {r["taxClass"]: r["tax"]["amount"] for r in sale["taxSummary"]} == {
        "STANDARD": "1.39",
        "REDUCED": "2.06",
    }
    assert sale["taxTotal"] == eur("3.45")
    sale = await shop.tender(sale["id"], "CASH", eur("50.00"))
    assert sale["balance"]["cashRounding"] == eur("0.02")  # 32.98 -> 33.00 in cash
    assert sale["balance"]["change"] == eur("17.00") and sale["balance"]["settled"]
    done = await shop.complete(sale["id"])
    assert done["sale"]["status"] == "COMPLETED"
    number = done["sale"]["receiptNumber"]
    assert number.startswith("S01-") and number.endswith("-000001")
    receipt = done["receipt"]
    assert receipt["number"] == number and receipt["copy"] is False
    assert "TOTAL EUR" in receipt["text"] and "Cash rounding" in receipt["text"]
    assert "COPY" not in receipt["text"] and "@page { size: 80mm auto" in receipt["html"]
    assert all(len(line) <= 42 for line in receipt["text"].splitlines())
    reprint = await shop.data(
        "query($n: String!) { receipt(number: $n) { number copy text } }", {"n": number.lower()}
    )
    assert reprint["receipt"]["copy"] is True and "COPY" in reprint["receipt"]["text"]
    found = await shop.data(
        f"query($n: String!) {{ saleByReceipt(number: $n) {{ {SALE} }} }}", {"n": number}
    )
    assert found["saleByReceipt"]["total"] == eur("32.98")
    now = await shop.data(
        "query($r: ID!) { openShift(registerId: $r) { id expectedCash { amount } } }",
        {"r": register},
    )
    # float 100 + 50 tendered - 17 change
    assert now["openShift"] == {"id": shift["id"], "expectedCash": {"amount": "133.00"}}


async def test_a_sale_in_a_tax_exclusive_store_adds_tax_and_takes_a_card(shop: Shop) -> None:
    """S02 (New York City, 8.875% added at the till, no cash rounding)."""
    register = await shop.register(NYC)
    item = await shop.product("10.00", "USD")
    await shop.open_shift(register, "50.00", "USD")
    sale = await shop.start(register)
    sale = await shop.scan(sale["id"], item["barcode"], 3)
    assert sale["subtotal"] == usd("30.00")
    assert sale["taxTotal"] == usd("2.66")  # 30.00 x 8.875% = 2.6625 -> 2.66
    assert sale["total"] == usd("32.66")
    sale = await shop.tender(sale["id"], "CARD", usd("32.66"), "AUTH-9931")
    assert sale["tenders"] == [
        {"id": "T1", "kind": "CARD", "amount": usd("32.66"), "reference": "AUTH-9931"}
    ]
    done = await shop.complete(sale["id"])
    assert done["sale"]["balance"]["change"] == usd("0.00")
    assert "AUTH-9931" in done["receipt"]["text"] or "Card" in done["receipt"]["text"]


async def test_by_sku_and_product_id_and_upc_a(shop: Shop) -> None:
    register = await shop.register(AMS)
    digits = f"{int(cid().replace('-', ''), 16) % 10**10:010d}"
    upc = ean13("0" + "4" + digits)  # an EAN-13 with a leading 0 is a UPC-A code
    product = await shop.product("2.00", barcode=upc)
    await shop.open_shift(register, "10.00", "EUR")
    sale = await shop.start(register)
    by_sku = await shop.data(ADD_LINE, {"c": cid(), "s": sale["id"], "sku": product["sku"].lower()})
    assert by_sku["addSaleLine"]["lines"][0]["sku"] == product["sku"]
    by_id = await shop.data(ADD_LINE, {"c": cid(), "s": sale["id"], "p": product["id"]})
    assert len(by_id["addSaleLine"]["lines"]) == 2
    by_upc = await shop.scan(sale["id"], upc[1:])  # the 12 digits under a UPC-A's bars
    assert [x["sku"] for x in by_upc["lines"]] == [product["sku"]] * 3
    both = await refused(
        shop, ADD_LINE, {"c": cid(), "s": sale["id"], "sku": product["sku"], "p": product["id"]}
    )
    assert codes(both) == ["BAD_USER_INPUT"] and reasons(both) == ["ONE_PRODUCT_KEY"]


async def test_split_tenders_until_the_balance_is_zero_with_change(shop: Shop) -> None:
    register = await shop.register(AMS)
    product = await shop.product("33.00")
    await shop.open_shift(register, "0.00", "EUR")
    sale = await shop.start(register)
    await shop.scan(sale["id"], product["barcode"])
    sale = await shop.tender(sale["id"], "CARD", eur("20.00"), "C-1")
    assert sale["balance"]["remaining"] == eur("13.00") and not sale["balance"]["settled"]
    over = await refused(
        shop, TENDER, {"c": cid(), "s": sale["id"], "k": "CARD", "a": eur("13.01")}
    )
    assert codes(over) == ["BAD_USER_INPUT"] and reasons(over) == ["CARD_OVERPAYMENT"]
    early = await refused(shop, COMPLETE, {"c": cid(), "s": sale["id"]})
    assert codes(early) == ["CONFLICT"] and reasons(early) == ["BALANCE_NOT_ZERO"]
    sale = await shop.tender(sale["id"], "CASH", eur("20.00"))
    assert sale["balance"]["change"] == eur("7.00") and sale["balance"]["settled"]
    done = await shop.complete(sale["id"])
    assert [t["kind"] for t in done["sale"]["tenders"]] == ["CARD", "CASH"]
    assert "Change" in done["receipt"]["text"] and "7.00" in done["receipt"]["text"]


async def test_a_discount_past_the_threshold_needs_a_supervisor(shop: Shop) -> None:
    """S01's threshold is 20%: a cashier gives 10%, a supervisor approves 30%."""
    register = await shop.register(AMS)
    product = await shop.product("10.00")
    await shop.open_shift(register, "0.00", "EUR")
    sale = await shop.start(register)
    await shop.scan(sale["id"], product["barcode"], 2)
    ten = await shop.data(
        DISCOUNT,
        {"c": cid(), "s": sale["id"], "k": "PERCENT", "pct": "10", "l": "L1", "why": "dented"},
    )
    assert ten["applyDiscount"]["lines"][0]["lineDiscount"] == eur("2.00")
    assert ten["applyDiscount"]["discounts"][0]["approvedBy"] is None
    thirty = {"c": cid(), "s": sale["id"], "k": "PERCENT", "pct": "30", "why": "loyal customer"}
    body = await refused(shop, DISCOUNT, thirty)
    assert codes(body) == ["FORBIDDEN"] and reasons(body) == ["DISCOUNT_NEEDS_APPROVAL"]
    amount = {"c": cid(), "s": sale["id"], "k": "AMOUNT", "a": eur("9.00"), "why": "x"}
    body = await refused(shop, DISCOUNT, amount)  # 9 of 18 is 50%
    assert reasons(body) == ["DISCOUNT_NEEDS_APPROVAL"]
    approved = await shop.data(DISCOUNT, thirty, claims=SUPERVISOR)
    discounts = approved["applyDiscount"]["discounts"]
    assert discounts[1]["approvedBy"] == {"id": SUPERVISOR["sub"]}
    assert discounts[1]["taken"] == eur("5.40")  # 30% of 18.00 after the line's 10%
    assert approved["applyDiscount"]["total"] == eur("12.60")


async def test_discount_inputs_are_checked(shop: Shop) -> None:
    register = await shop.register(AMS)
    product = await shop.product("10.00")
    await shop.open_shift(register, "0.00", "EUR")
    sale = await shop.start(register)
    await shop.scan(sale["id"], product["barcode"])
    base = {"s": sale["id"], "k": "PERCENT", "why": "test"}
    over = await refused(shop, DISCOUNT, {**base, "c": cid(), "pct": "150"}, SUPERVISOR)
    assert codes(over) == ["BAD_USER_INPUT"] and reasons(over) == ["DISCOUNT_OVER_100_PERCENT"]
    bad = await refused(shop, DISCOUNT, {**base, "c": cid(), "pct": "ten"})
    assert codes(bad) == ["BAD_USER_INPUT"] and reasons(bad) == ["INVALID_AMOUNT"]
    missing = await refused(shop, DISCOUNT, {**base, "c": cid()})
    assert codes(missing) == ["BAD_USER_INPUT"]
    dollars = {**base, "c": cid(), "k": "AMOUNT", "a": usd("1.00")}
    other = await refused(shop, DISCOUNT, dollars)
    assert codes(other) == ["BAD_USER_INPUT"] and reasons(other) == ["CURRENCY_MISMATCH"]
    no_reason = await refused(shop, DISCOUNT, {**base, "c": cid(), "pct": "5", "why": " "})
    assert codes(no_reason) == ["BAD_USER_INPUT"]


async def test_bad_scans_and_tenders_are_refused_and_write_nothing(shop: Shop) -> None:
    register = await shop.register(AMS)
    product = await shop.product("4.00")
    await shop.open_shift(register, "0.00", "EUR")
    sale = await shop.start(register)
    good = product["barcode"]
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
    body = await refused(shop, ADD_LINE, {"c": cid(), "s": sale["id"], "b": wrong})
    assert codes(body) == ["BAD_USER_INPUT"] and reasons(body) == ["BAD_CHECK_DIGIT"]
    assert body["errors"][0]["extensions"]["expected"] == good[-1]
    body = await refused(shop, ADD_LINE, {"c": cid(), "s": sale["id"], "b": "12345"})
    assert reasons(body) == ["INVALID_BARCODE"]
    body = await refused(shop, ADD_LINE, {"c": cid(), "s": sale["id"], "b": ean13("200000000001")})
    assert codes(body) == ["NOT_FOUND"] and reasons(body) == ["UNKNOWN_PRODUCT"]
    body = await refused(shop, ADD_LINE, {"c": cid(), "s": sale["id"], "b": good, "q": 0})
    assert codes(body) == ["BAD_USER_INPUT"] and reasons(body) == ["INVALID_QUANTITY"]
    await shop.scan(sale["id"], good)
    body = await refused(shop, TENDER, {"c": cid(), "s": sale["id"], "k": "CASH", "a": usd("5")})
    assert codes(body) == ["BAD_USER_INPUT"] and reasons(body) == ["CURRENCY_MISMATCH"]
    assert body["errors"][0]["extensions"]["expected"] == "EUR"
    body = await refused(shop, TENDER, {"c": cid(), "s": sale["id"], "k": "CASH", "a": eur("-1")})
    assert codes(body) == ["BAD_USER_INPUT"]
    body = await refused(shop, START, {"c": "", "r": register})
    assert reasons(body) == ["INVALID_COMMAND_ID"]
    unknown = await refused(shop, ADD_LINE, {"c": cid(), "s": "no-such-sale", "b": good})
    assert codes(unknown) == ["NOT_FOUND"] and reasons(unknown) == ["UNKNOWN_SALE"]


async def test_a_retried_command_sells_once(shop: Shop) -> None:
    register = await shop.register(AMS)
    product = await shop.product("5.00")
    await shop.open_shift(register, "0.00", "EUR")
    start = {"c": cid(), "r": register}
    first = (await shop.data(START, start))["startSale"]
    events = await shop.events()
    again = (await shop.data(START, start))["startSale"]
    assert again["id"] == first["id"] and await shop.events() == events
    scan = {"c": cid(), "s": first["id"], "b": product["barcode"], "q": 2}
    await shop.data(ADD_LINE, scan)
    events = await shop.events()
    twice = (await shop.data(ADD_LINE, scan))["addSaleLine"]
    assert len(twice["lines"]) == 1 and await shop.events() == events
    pay = {"c": cid(), "s": first["id"], "k": "CASH", "a": eur("10.00")}
    await shop.data(TENDER, pay)
    assert len((await shop.data(TENDER, pay))["addTender"]["tenders"]) == 1
    complete = {"c": cid(), "s": first["id"]}
    done = (await shop.data(COMPLETE, complete))["completeSale"]
    events = await shop.events()
    redone = (await shop.data(COMPLETE, complete))["completeSale"]
    assert redone["receipt"]["number"] == done["receipt"]["number"]
    assert redone["receipt"]["text"] == done["receipt"]["text"]
    assert await shop.events() == events
    other = await shop.start(register)
    await shop.scan(other["id"], product["barcode"])
    await shop.tender(other["id"], "CASH", eur("5.00"))
    second = await shop.complete(other["id"])
    # gap-free per register: the retry took no number
    assert second["receipt"]["number"].endswith("-000002")
    assert done["receipt"]["number"].endswith("-000001")


async def test_park_resume_and_void(shop: Shop) -> None:
    register = await shop.register(AMS)
    product = await shop.product("3.00")
    await shop.open_shift(register, "20.00", "EUR")
    sale = await shop.start(register)
    await shop.scan(sale["id"], product["barcode"])
    parked = (await shop.data(PARK, {"c": cid(), "s": sale["id"]}))["parkSale"]
    assert parked["status"] == "PARKED"
    body = await refused(shop, ADD_LINE, {"c": cid(), "s": sale["id"], "b": product["barcode"]})
    assert codes(body) == ["CONFLICT"]
    listed = await shop.data(
        "query($r: ID!) { parkedSales(registerId: $r) { id status } }", {"r": register}
    )
    assert listed["parkedSales"] == [{"id": sale["id"], "status": "PARKED"}]
    resumed = (await shop.data(RESUME, {"c": cid(), "s": sale["id"]}))["resumeSale"]
    assert resumed["status"] == "OPEN" and len(resumed["lines"]) == 1
    unknown = await refused(shop, ATTACH, {"c": cid(), "s": sale["id"], "cu": "customer-1"})
    assert codes(unknown) == ["NOT_FOUND"] and reasons(unknown) == ["UNKNOWN_CUSTOMER"]
    customer = await shop.customer()
    attached = await shop.data(ATTACH, {"c": cid(), "s": sale["id"], "cu": customer})
    assert attached["attachCustomer"]["customer"] == {"id": customer}
    await shop.tender(sale["id"], "CASH", eur("1.00"))
    body = await refused(shop, PARK, {"c": cid(), "s": sale["id"]})
    assert codes(body) == ["CONFLICT"]
    body = await refused(shop, VOID, {"c": cid(), "s": sale["id"], "why": "changed mind"})
    assert codes(body) == ["FORBIDDEN"] and reasons(body) == ["VOID_NEEDS_SUPERVISOR"]
    voided = await shop.data(
        VOID, {"c": cid(), "s": sale["id"], "why": "changed mind"}, claims=SUPERVISOR
    )
    assert voided["voidSale"]["status"] == "VOIDED"
    unpaid = await shop.start(register)
    await shop.scan(unpaid["id"], product["barcode"])
    mine = await shop.data(VOID, {"c": cid(), "s": unpaid["id"], "why": "test scan"})
    assert mine["voidSale"]["status"] == "VOIDED"  # nothing paid: the cashier may
    listed = await shop.data(
        "query($r: ID!) { sales(registerId: $r, status: VOIDED) { totalCount } }", {"r": register}
    )
    assert listed["sales"]["totalCount"] == 2


async def test_promotions_with_a_window_and_a_usage_limit(shop: Shop) -> None:
    now = datetime.now(UTC)
    code = f"SPRING{cid()[:4].upper()}"
    create = {
        "c": cid(),
        "code": code,
        "k": "PERCENT",
        "pct": "50",
        "from": (now - timedelta(days=1)).isoformat(),
        "until": (now + timedelta(days=1)).isoformat(),
        "limit": 1,
    }
    body = await refused(shop, CREATE_PROMOTION, create)
    assert codes(body) == ["FORBIDDEN"]  # cashiers do not set prices
    made = await shop.data(CREATE_PROMOTION, create, claims=MANAGER)
    assert made["createPromotion"]["usesLeft"] == 1
    register = await shop.register(AMS)
    product = await shop.product("10.00")
    await shop.open_shift(register, "0.00", "EUR")
    first = await shop.start(register)
    await shop.scan(first["id"], product["barcode"])
    redeemed = await shop.data(REDEEM, {"c": cid(), "s": first["id"], "code": code.lower()})
    sale = redeemed["redeemPromotion"]
    assert sale["total"] == eur("5.00") and sale["discounts"][0]["promotionCode"] == code
    second = await shop.start(register)
    await shop.scan(second["id"], product["barcode"])
    body = await refused(shop, REDEEM, {"c": cid(), "s": second["id"], "code": code})
    assert codes(body) == ["CONFLICT"] and reasons(body) == ["PROMOTION_USED_UP"]
    await shop.data(VOID, {"c": cid(), "s": first["id"], "why": "customer left"})
    freed = await shop.data(
        "query($c: String!) { promotion(code: $c) { uses usesLeft } }", {"c": code}
    )
    assert freed["promotion"] == {"uses": 0, "usesLeft": 1}  # the void gave the use back
    body = await refused(shop, REDEEM, {"c": cid(), "s": second["id"], "code": "NOPE"})
    assert codes(body) == ["NOT_FOUND"] and reasons(body) == ["UNKNOWN_PROMOTION"]


async def test_callers_need_their_scopes(shop: Shop) -> None:
    register = await shop.register(AMS)
    anonymous = await shop.gql(START, {"c": cid(), "r": register}, claims=None)
    assert codes(anonymous) == ["UNAUTHENTICATED"]
    assert anonymous["errors"][0]["extensions"]["reason"] == "UNAUTHENTICATED"
    sale = await shop.gql("query($id: ID!) { sale(id: $id) { id } }", {"id": "x"}, claims=None)
    assert codes(sale) == ["UNAUTHENTICATED"]
    reader = {**CASHIER, "scope": "orders:read"}
    body = await shop.gql(START, {"c": cid(), "r": register}, claims=reader)
    assert codes(body) == ["FORBIDDEN"]
    no_shift = await refused(shop, START, {"c": cid(), "r": register})
    assert codes(no_shift) == ["CONFLICT"] and reasons(no_shift) == ["SHIFT_NOT_OPEN"]

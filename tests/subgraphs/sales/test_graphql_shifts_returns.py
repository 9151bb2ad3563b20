"""Shifts and returns through the sales subgraph (embedded mode): the float, cash
movements, X and Z reports with over/short, one open shift per register, closing with
a sale open refused; returns partial and full, never more than sold, by receipt number,
past the window and without a receipt only for a supervisor, retried returns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.subgraphs.sales.shop import (
    AMS,
    CASHIER,
    CLOSE_SHIFT,
    MOVE_CASH,
    NYC,
    OPEN_SHIFT,
    RETURN_NO_RECEIPT,
    RETURN_SALE,
    SALE,
    SUPERVISOR,
    X_REPORT,
    Shop,
    cid,
    codes,
    eur,
    open_shop,
    reasons,
    usd,
)


@pytest.fixture(scope="module")
async def shop(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Shop]:
    async with open_shop(tmp_path_factory.mktemp("sales-shifts")) as opened:
        yield opened


async def refused(
    shop: Shop, query: str, variables: dict[str, Any], claims: dict[str, Any] = CASHIER
) -> dict[str, Any]:
    before = await shop.events()
    body = await shop.gql(query, variables, claims=claims)
    assert body.get("errors"), body
    assert await shop.events() == before, "a refused command wrote events"
    return body


def tender_lines(report: dict[str, Any]) -> dict[str, tuple[str, str | None, str | None]]:
    return {
        t["kind"]: (
            t["expected"]["amount"],
            t["counted"]["amount"] if t["counted"] else None,
            t["overShort"]["amount"] if t["overShort"] else None,
        )
        for t in report["tenders"]
    }


async def sold(shop: Shop, register: str, barcode: str, quantity: int, pay: list[Any]) -> Any:
    sale = await shop.start(register)
    await shop.scan(sale["id"], barcode, quantity)
    for kind, amount, ref in pay:
        await shop.tender(sale["id"], kind, amount, ref)
    return await shop.complete(sale["id"])


async def test_a_shift_from_float_to_z_report(shop: Shop) -> None:
    register = await shop.register(AMS)
    product = await shop.product("10.00")
    opening = {"c": cid(), "r": register, "float": {"total": eur("150.00")}}
    shift = (await shop.data(OPEN_SHIFT, opening))["openShift"]
    assert shift["status"] == "OPEN" and shift["openingFloat"] == eur("150.00")
    again = (await shop.data(OPEN_SHIFT, opening))["openShift"]
    assert again["id"] == shift["id"]  # the same commandId: the same shift
    second = {"c": cid(), "r": register, "float": {"total": eur("10.00")}}
    body = await refused(shop, OPEN_SHIFT, second)
    assert codes(body) == ["CONFLICT"] and reasons(body) == ["REGISTER_HAS_OPEN_SHIFT"]
    await sold(shop, register, product["barcode"], 2, [("CASH", eur("50.00"), None)])
    await sold(shop, register, product["barcode"], 1, [("CARD", eur("10.00"), "C-7")])
    move = {"s": shift["id"], "a": eur("100.00")}
    await shop.data(MOVE_CASH, {**move, "c": cid(), "k": "DROP", "why": "safe drop"})
    await shop.data(
        MOVE_CASH, {"c": cid(), "s": shift["id"], "k": "PAY_IN", "a": eur("5.00"), "why": "change"}
    )
    await shop.data(
        MOVE_CASH,
        {"c": cid(), "s": shift["id"], "k": "PAY_OUT", "a": eur("4.50"), "why": "window cleaner"},
    )
    body = await refused(shop, MOVE_CASH, {**move, "c": cid(), "k": "PAY_OUT", "why": "too much"})
    assert codes(body) == ["CONFLICT"] and reasons(body) == ["NOT_ENOUGH_CASH"]
    body = await refused(shop, MOVE_CASH, {**move, "c": cid(), "k": "DROP", "why": "  "})
    assert codes(body) == ["BAD_USER_INPUT"] and reasons(body) == ["REASON_REQUIRED"]
    x = (await shop.data(X_REPORT, {"c": cid(), "s": shift["id"]}))["takeXReport"]
    # 150 + 50 - 30 change + 5 - 4.50 - 100 = 70.50
    assert x["kind"] == "X" and x["sales"] == 2
    assert tender_lines(x) == {"CASH": ("70.50", None, None), "CARD": ("10.00", None, None)}
    left_open = await shop.start(register)
    await shop.scan(left_open["id"], product["barcode"])
    close = {"c": cid(), "s": shift["id"], "cash": {"total": eur("70.00")}}
    body = await refused(shop, CLOSE_SHIFT, close)
    assert codes(body) == ["CONFLICT"] and reasons(body) == ["SHIFT_HAS_OPEN_SALE"]
    assert body["errors"][0]["extensions"]["sales"] == [left_open["id"]]
    await shop.data(
        'mutation($c: ID!, $s: ID!) { voidSale(commandId: $c, saleId: $s, reason: "oops") { id } }',
        {"c": cid(), "s": left_open["id"]},
    )
    counted = {
        "denominations": [
            {"value": "50", "count": 1},
            {"value": "20", "count": 1},
        ]
    }
    z = (await shop.data(CLOSE_SHIFT, {**close, "cash": counted}))["closeShift"]
    assert z["kind"] == "Z" and z["voids"] == 1 and z["countedCash"] == eur("70.00")
    assert tender_lines(z) == {
        "CASH": ("70.50", "70.00", "-0.50"),  # 50 cents short
        "CARD": ("10.00", "10.00", "0.00"),
    }
    events = await shop.events()
    assert (await shop.data(CLOSE_SHIFT, {**close, "cash": counted}))["closeShift"] == z
    assert await shop.events() == events
    closed = await shop.data(
        "query($id: ID!) { shift(id: $id) { status zReport { kind } openSaleIds } }",
        {"id": shift["id"]},
    )
    assert closed["shift"] == {"status": "CLOSED", "zReport": {"kind": "Z"}, "openSaleIds": []}
    none = await shop.data("query($r: ID!) { openShift(registerId: $r) { id } }", {"r": register})
    assert none["openShift"] is None
    reopened = await shop.open_shift(register, "70.00", "EUR")
    assert reopened["id"] != shift["id"]
    bad = await refused(shop, OPEN_SHIFT, {"c": cid(), "r": register, "float": {}})
    assert codes(bad) == ["BAD_USER_INPUT"]


async def test_bad_shift_input(shop: Shop) -> None:
    register = await shop.register(NYC)
    euros = {"c": cid(), "r": register, "float": {"total": eur("10.00")}}
    body = await refused(shop, OPEN_SHIFT, euros)
    assert codes(body) == ["BAD_USER_INPUT"] and reasons(body) == ["CURRENCY_MISMATCH"]
    body = await refused(shop, OPEN_SHIFT, {**euros, "r": "no-such-register"})
    assert codes(body) == ["NOT_FOUND"] and reasons(body) == ["UNKNOWN_REGISTER"]
    mismatch = {"total": usd("10.00"), "denominations": [{"value": "5", "count": 1}]}
    body = await refused(shop, OPEN_SHIFT, {**euros, "float": mismatch})
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_returns_partial_never_more_than_sold_and_refunded_as_paid(shop: Shop) -> None:
    register = await shop.register(AMS)
    product = await shop.product("10.00")
    shift = await shop.open_shift(register, "50.00", "EUR")
    done = await sold(
        shop,
        register,
        product["barcode"],
        3,
        [("CARD", eur("20.00"), "C-1"), ("CASH", eur("10.00"), None)],
    )
    sale_id, number = done["sale"]["id"], done["receipt"]["number"]
    one = {
        "c": cid(),
        "r": register,
        "s": sale_id,
        "lines": [{"lineId": "L1", "quantity": 1}],
        "why": "too big",
    }
    returned = (await shop.data(RETURN_SALE, one))["returnSale"]
    assert returned["refunded"] == eur("10.00") and returned["shiftId"] == shift["id"]
    assert returned["refunds"] == [{"kind": "CARD", "amount": eur("10.00"), "reference": "C-1"}]
    assert returned["lines"][0]["disposition"] == "RESTOCK"
    events = await shop.events()
    assert (await shop.data(RETURN_SALE, one))["returnSale"]["id"] == returned["id"]
    assert await shop.events() == events  # a retried return refunds once
    more = {**one, "c": cid(), "lines": [{"lineId": "L1", "quantity": 3}]}
    body = await refused(shop, RETURN_SALE, more)
    assert codes(body) == ["BAD_USER_INPUT"] and reasons(body) == ["RETURN_EXCEEDS_SOLD"]
    assert body["errors"][0]["extensions"]["returnable"] == 2
    body = await refused(
        shop, RETURN_SALE, {**one, "c": cid(), "lines": [{"lineId": "L9", "quantity": 1}]}
    )
    assert reasons(body) == ["UNKNOWN_LINE"]
    rest = {
        "c": cid(),
        "r": register,
        "n": number.lower(),
        "lines": [{"lineId": "L1", "quantity": 2, "disposition": "WRITE_OFF"}],
        "why": "damaged",
        "m": "CASH",
    }
    cash = (await shop.data(RETURN_SALE, rest))["returnSale"]
    assert cash["refunds"] == [{"kind": "CASH", "amount": eur("20.00"), "reference": None}]
    assert cash["receiptNumber"] == number
    after = await shop.data(
        f"query($id: ID!) {{ sale(id: $id) {{ {SALE} }} returnsOfSale(saleId: $id) {{ id }} }}",
        {"id": sale_id},
    )
    assert after["sale"]["lines"][0]["returnedQuantity"] == 3
    assert [r["id"] for r in after["returnsOfSale"]] == [returned["id"], cash["id"]]
    body = await refused(shop, RETURN_SALE, {**one, "c": cid()})
    assert reasons(body) == ["RETURN_EXCEEDS_SOLD"]
    now = await shop.data(
        "query($r: ID!) { openShift(registerId: $r) { expectedCash { amount } "
        "expectedCard { amount } figures { cashRefunds { amount } cardRefunds { amount } } } }",
        {"r": register},
    )
    assert now["openShift"] == {
        "expectedCash": {"amount": "40.00"},  # 50 + 10 cash - 20 refunded
        "expectedCard": {"amount": "10.00"},
        "figures": {"cashRefunds": {"amount": "20.00"}, "cardRefunds": {"amount": "10.00"}},
    }
    open_sale = await shop.start(register)
    body = await refused(shop, RETURN_SALE, {**one, "c": cid(), "s": open_sale["id"]})
    assert codes(body) == ["CONFLICT"] and reasons(body) == ["SALE_NOT_COMPLETED"]
    body = await refused(shop, RETURN_SALE, {**one, "c": cid(), "n": number})
    assert reasons(body) == ["ONE_SALE_KEY"]
    body = await refused(shop, RETURN_SALE, {**one, "c": cid(), "s": None, "n": "S01-R9-000009"})
    assert codes(body) == ["NOT_FOUND"] and reasons(body) == ["UNKNOWN_RECEIPT"]


async def test_past_the_window_and_without_receipt_a_supervisor_decides(shop: Shop) -> None:
    register = await shop.register(AMS)
    product = await shop.product("6.00")
    await shop.open_shift(register, "50.00", "EUR")
    done = await sold(shop, register, product["barcode"], 1, [("CASH", eur("6.00"), None)])
    late = {
        "c": cid(),
        "r": register,
        "s": done["sale"]["id"],
        "lines": [{"lineId": "L1", "quantity": 1}],
        "why": "late",
    }
    shop.clock.advance(31)  # S01's window is 30 days
    try:
        body = await refused(shop, RETURN_SALE, late)
        assert codes(body) == ["FORBIDDEN"] and reasons(body) == ["RETURN_WINDOW_PASSED"]
        approved = (await shop.data(RETURN_SALE, late, claims=SUPERVISOR))["returnSale"]
        assert approved["approvedBy"] == {"id": SUPERVISOR["sub"]}
    finally:
        shop.clock.advance(-31)
    items = {
        "c": cid(),
        "r": register,
        "items": [{"productId": product["id"], "quantity": 2}],
        "why": "gift, no receipt",
    }
    body = await refused(shop, RETURN_NO_RECEIPT, items)
    assert codes(body) == ["FORBIDDEN"]
    slip = (await shop.data(RETURN_NO_RECEIPT, items, claims=SUPERVISOR))["returnWithoutReceipt"]
    assert slip["saleId"] is None and slip["approvedBy"] == {"id": SUPERVISOR["sub"]}
    assert slip["refunds"] == [{"kind": "CASH", "amount": eur("12.00"), "reference": None}]
    unknown = {**items, "c": cid(), "items": [{"productId": "nope", "quantity": 1}]}
    body = await refused(shop, RETURN_NO_RECEIPT, unknown, SUPERVISOR)
    assert codes(body) == ["NOT_FOUND"] and reasons(body) == ["UNKNOWN_PRODUCT"]

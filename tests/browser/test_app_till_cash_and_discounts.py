"""The till's other daily work in Chromium, through the real gateway of a `pos run`:
an amount discount past the threshold (a supervisor approves), a promotion code, cash
drops and pay-ins with reasons, the X report on screen and in print, and a return without
a receipt (a supervisor's call: the cashier lacks `refunds:write`).

Each step is checked against the graph, not against the page's own sums.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
import pytest_asyncio
from playwright.async_api import Page, expect

from tests.browser.conftest import ARTIFACTS, BrowserPage
from tests.browser.pos_app import (
    RunningPos,
    choose_register,
    gql,
    new_register,
    open_shift,
    running_pos,
    scan,
    sign_in_ui,
)

FILTERS, KETTLE = "8712345000233", "8712345000219"  # 4.50, 49.00 (S01, VAT included)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pos(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningPos]:
    async with running_pos(tmp_path_factory.mktemp("pos-till-cash")) as running:
        yield running


CREATE_PROMOTION = """mutation($c: ID!, $code: String!, $from: DateTime!, $until: DateTime!) {
  createPromotion(commandId: $c, code: $code, kind: PERCENT, percent: "10",
                  validFrom: $from, validUntil: $until) { code } }"""
SALE = """query($n: String!) { saleByReceipt(number: $n) {
  total { amount } discounts { kind percent amount { amount } lineId promotionCode
  approvedBy { username } } } }"""
SHIFT = """query($r: ID!) { openShift(registerId: $r) { id
  expectedCash { amount }
  figures { payIns { amount } drops { amount } cashRefunds { amount } refunds } } }"""


Z = """query($r: ID!) { shifts(registerId: $r, status: CLOSED, first: 1) { nodes {
  zReport { countedCash { amount } countedDenominations { value count } } } } }"""
EUR_FACES = ["50", "20", "10", "5", "2", "1", "0.50", "0.20", "0.10", "0.05", "0.02", "0.01"]


def in_notes_and_coins(amount: str) -> dict[str, int]:
    """`amount` (euros) as the fewest notes and coins up to €50."""
    left = round(float(amount) * 100)
    counts: dict[str, int] = {}
    for face in EUR_FACES:
        cents = round(float(face) * 100)
        if left >= cents:
            counts[face], left = divmod(left, cents)
    assert left == 0
    return counts


def euro(face: str) -> str:
    return f"€{float(face):.2f}"


async def approve(page: Page, pos: RunningPos, expected: str) -> None:
    """The supervisor at the till types their username and PIN into the prompt."""
    dialog = page.get_by_role("dialog", name="Supervisor approval")
    await expect(dialog).to_contain_text(expected)
    await dialog.get_by_label("Supervisor username").fill("supervisor")
    await dialog.get_by_label("PIN").fill(pos.pin("supervisor"))
    await dialog.get_by_role("button", name="Approve").click()
    await expect(dialog).to_have_count(0)


async def test_amount_discount_promotion_cash_movements_x_report_and_return_without_receipt(
    pos: RunningPos, browser_page: BrowserPage
) -> None:
    page = browser_page.page
    code = f"WEB{uuid4().hex[:6].upper()}"
    now = datetime.now(UTC)
    async with pos.api() as client:
        await gql(
            client,
            CREATE_PROMOTION,
            {
                "c": str(uuid4()),
                "code": code,
                "from": (now - timedelta(hours=1)).isoformat(),
                "until": (now + timedelta(days=1)).isoformat(),
            },
        )
    register = await new_register(pos)
    await sign_in_ui(page, pos, "cashier")
    await choose_register(page, register)
    await open_shift(page, "100.00")
    await scan(page, KETTLE)
    await scan(page, FILTERS)
    await expect(page.get_by_test_id("sale-total")).to_have_text("€53.50")

    # €12.00 off the kettle is 24.5% of the line, past S01's 20%: a supervisor approves
    discount = page.get_by_role("region", name="Discount")
    await discount.get_by_label("Discount type").select_option(label="Amount off")
    await discount.get_by_label("Discount amount (EUR)").fill("12.00")
    await discount.get_by_label("Reason").fill("Dented box")
    await discount.get_by_label("Applies to").select_option(label="Gooseneck kettle 1 l")
    await discount.get_by_role("button", name="Apply discount").click()
    await approve(page, pos, "a supervisor must approve it")
    basket = page.get_by_role("region", name="Basket")
    await expect(basket).to_contain_text("approved by Sam Supervisor")
    await expect(page.get_by_test_id("sale-total")).to_have_text("€41.50")

    # a promotion code: 10% off the rest, no approval needed
    await discount.get_by_label("Promotion code", exact=True).fill(code.lower())
    await discount.get_by_role("button", name="Redeem code").click()
    await expect(basket).to_contain_text(f"code {code}")
    shown_total = await page.get_by_test_id("sale-total").inner_text()
    assert shown_total != "€41.50"
    pay = page.get_by_role("region", name="Payment")
    await pay.get_by_label("Amount (EUR)").fill("50.00")
    await pay.get_by_role("button", name="Take cash").click()
    await pay.get_by_role("button", name="Complete sale").click()
    receipt = page.get_by_role("region", name=re.compile(r"^Receipt "))
    number = (await receipt.get_by_role("heading").inner_text()).removeprefix("Receipt ").strip()
    async with pos.api() as client:
        sold = (await gql(client, SALE, {"n": number}))["saleByReceipt"]
    assert f"€{sold['total']['amount']}" == shown_total
    by_kind = {(d["kind"], d["promotionCode"]): d for d in sold["discounts"]}
    amount_off = by_kind[("AMOUNT", None)]
    assert amount_off["amount"]["amount"] == "12.00" and amount_off["lineId"] is not None
    assert amount_off["approvedBy"] == {"username": "supervisor"}
    promo = by_kind[("PERCENT", code)]
    assert promo["percent"] == "10" and promo["lineId"] is None and promo["approvedBy"] is None
    await receipt.get_by_role("button", name="New sale").click()

    # the drawer: a pay-in and a drop, each with its reason; the graph answers what is left
    drawer = page.get_by_role("region", name="Cash drawer")
    await drawer.get_by_label("Movement", exact=True).select_option(label="Pay-in")
    await drawer.get_by_label("Amount (EUR)").fill("20.00")
    await drawer.get_by_label("Movement reason").fill("Change from the bank")
    await drawer.get_by_role("button", name="Record movement").click()
    await expect(drawer.get_by_role("status")).to_contain_text("Pay-in of €20.00 recorded")
    await drawer.get_by_label("Movement", exact=True).select_option(label="Cash drop to the safe")
    await drawer.get_by_label("Amount (EUR)").fill("50.00")
    await drawer.get_by_label("Movement reason").fill("Midday drop")
    await drawer.get_by_role("button", name="Record movement").click()
    await expect(drawer.get_by_role("status")).to_contain_text("Cash drop to the safe of €50.00")
    async with pos.api() as client:
        shift = (await gql(client, SHIFT, {"r": register.id}))["openShift"]
    assert shift["figures"]["payIns"]["amount"] == "20.00"
    assert shift["figures"]["drops"]["amount"] == "50.00"
    await expect(drawer.get_by_role("status")).to_contain_text(
        f"should now hold €{shift['expectedCash']['amount']}"
    )

    # the X report: on screen and printable alone, the shift stays open
    await drawer.get_by_role("button", name="Take X report").click()
    x = page.get_by_role("region", name="X report")
    await expect(x).to_be_visible()
    await expect(x.get_by_role("definition").filter(has_text="€20.00")).to_have_count(1)
    await expect(x).to_contain_text("Cash drops")
    await page.emulate_media(media="print")
    await expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    await expect(x).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.pdf(path=str(ARTIFACTS / "app-x-report-80mm.pdf"), width="80mm")
    await page.emulate_media(media="screen")
    await browser_page.screenshot("app-till-x-report")
    await page.get_by_role("button", name="Back to the till").click()

    # a return without a receipt: the cashier cannot, the supervisor approves before sending
    posted = len(browser_page.posted)
    no_receipt = page.get_by_role("region", name="Return without receipt")
    await no_receipt.get_by_label("Find returned product").fill("kettle")
    await no_receipt.get_by_role("button", name="Add Gooseneck kettle 1 l to the return").click()
    await no_receipt.get_by_label("Return reason").fill("Gift, no receipt")
    await no_receipt.get_by_role("button", name="Refund in cash").click()
    await approve(page, pos, "supervisor's call")
    await expect(no_receipt.get_by_role("status")).to_have_text(
        "Refunded €49.00 in cash, approved by Sam Supervisor."
    )
    assert len(browser_page.posted) > posted
    async with pos.api() as client:
        after = (await gql(client, SHIFT, {"r": register.id}))["openShift"]
    assert after["figures"]["cashRefunds"]["amount"] == "49.00"
    assert after["figures"]["refunds"] == 1

    # close the shift counted note by note: the till adds them up, the graph keeps them
    expected = after["expectedCash"]["amount"]
    counts = in_notes_and_coins(expected)
    close = page.get_by_role("region", name="Close shift")
    await close.get_by_text("Count by denomination").click()
    for face, count in counts.items():
        await close.get_by_label(f"Count of {euro(face)}", exact=True).fill(str(count))
    await expect(close.get_by_label("Counted cash (EUR)")).to_have_value(expected)
    await close.get_by_role("button", name="Close shift").click()
    z = page.get_by_role("region", name="Z report")
    cash_row = z.get_by_role("row").filter(has_text="CASH")
    await expect(cash_row).to_contain_text(f"€{expected}")
    await expect(cash_row).to_contain_text("€0.00")
    shown = await z.get_by_test_id("counted-denominations").inner_text()
    assert all(f"{count} \u00d7 {euro(face)}" in shown for face, count in counts.items()), shown
    async with pos.api() as client:
        report = (await gql(client, Z, {"r": register.id}))["shifts"]["nodes"][0]["zReport"]
    assert report["countedCash"]["amount"] == expected
    kept = {d["value"]: d["count"] for d in report["countedDenominations"]}
    assert {float(v): c for v, c in kept.items()} == {float(f): c for f, c in counts.items()}

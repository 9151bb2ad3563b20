"""The till in Chromium, through the real gateway of a `pos run` (issue 10's scenarios).

A cashier opens a shift, scans three items with a keyboard wedge (code + Enter), gets a
supervisor to approve a discount past the store's threshold, takes card and cash with
change, prints the receipt (80 mm print CSS), takes a return from that receipt and closes
the shift with its Z report. A product created in the back office is sold at the till.
Figures are the server's: the test checks the graph's answers, not the page's sums.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
import pytest_asyncio
from playwright.async_api import Request, WebSocket, expect

from tests.browser.conftest import ARTIFACTS, BrowserPage
from tests.browser.pos_app import (
    RunningPos,
    another_browser,
    choose_register,
    ean13,
    gql,
    new_register,
    open_screen,
    open_shift,
    running_pos,
    scan,
    sign_in_ui,
)

BREWER, FILTERS, KETTLE = "8712345000295", "8712345000233", "8712345000219"  # 39.90, 4.50, 49.00


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pos(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningPos]:
    async with running_pos(tmp_path_factory.mktemp("pos-till")) as running:
        yield running


SALE = """query($n: String!) { saleByReceipt(number: $n) {
  status total { amount } tenders { kind amount { amount } }
  discounts { percent approvedBy { username } } lines { name quantity returnedQuantity } } }"""


async def test_a_cashiers_shift_sale_discount_split_tender_receipt_return_and_z(
    pos: RunningPos, browser_page: BrowserPage, tmp_path: Path
) -> None:
    page = browser_page.page

    register = await new_register(pos)
    await sign_in_ui(page, pos, "cashier")
    await choose_register(page, register)
    await open_shift(page, "100.00")
    for code in (BREWER, FILTERS, KETTLE):
        await scan(page, code)
    basket = page.get_by_role("region", name="Basket")
    await expect(basket.get_by_role("row")).to_have_count(3)
    await expect(basket).to_contain_text("Gooseneck kettle 1 l")
    await expect(page.get_by_test_id("sale-total")).to_have_text("€93.40")

    # 25% is past S01's 20% threshold: the graph refuses, the till asks a supervisor
    discount = page.get_by_role("region", name="Discount")
    await discount.get_by_label("Discount percent").fill("25")
    await discount.get_by_label("Reason").fill("Loyal customer")
    await discount.get_by_role("button", name="Apply discount").click()
    dialog = page.get_by_role("dialog", name="Supervisor approval")
    await expect(dialog).to_contain_text("a supervisor must approve it")
    await dialog.get_by_label("Supervisor username").fill("supervisor")
    await dialog.get_by_label("PIN").fill(pos.pin("supervisor"))
    await dialog.get_by_role("button", name="Approve").click()
    await expect(dialog).to_have_count(0)
    await expect(basket).to_contain_text("approved by Sam Supervisor")
    await expect(page.get_by_test_id("sale-total")).to_have_text("€70.05")

    # split tender: 50.00 on the card, 30.00 in cash for the 20.05 left: 9.95 change
    pay = page.get_by_role("region", name="Payment")
    await pay.get_by_label("Amount (EUR)").fill("50.00")
    await pay.get_by_label("Card reference").fill("AUTH-481516")
    await pay.get_by_role("button", name="Take card").click()
    await expect(page.get_by_test_id("sale-remaining")).to_have_text("€20.05")
    await pay.get_by_label("Amount (EUR)").fill("30.00")
    await pay.get_by_role("button", name="Take cash").click()
    await expect(page.get_by_test_id("sale-change")).to_have_text("€9.95")
    await browser_page.screenshot("app-till-paid")
    await pay.get_by_role("button", name="Complete sale").click()

    receipt = page.get_by_role("region", name=re.compile(r"^Receipt "))
    await expect(receipt).to_be_visible()
    number = (await receipt.get_by_role("heading").inner_text()).removeprefix("Receipt ").strip()
    text = await page.get_by_test_id("receipt").inner_text()
    assert number in text and "70.05" in text and "9.95" in text, text
    # print: only the receipt, on an 80 mm roll
    await page.emulate_media(media="print")
    await expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    await expect(page.get_by_test_id("receipt")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.pdf(path=str(ARTIFACTS / "app-receipt-80mm.pdf"), width="80mm")
    await browser_page.screenshot("app-till-receipt-print")
    await page.emulate_media(media="screen")

    async with pos.api() as client:
        sold = (await gql(client, SALE, {"n": number}))["saleByReceipt"]
    assert sold["status"] == "COMPLETED"
    assert sold["total"]["amount"] == "70.05"
    assert sorted((x["kind"], x["amount"]["amount"]) for x in sold["tenders"]) == [
        ("CARD", "50.00"),
        ("CASH", "30.00"),
    ]
    assert sold["discounts"] == [{"percent": "25", "approvedBy": {"username": "supervisor"}}]

    # the return: one box of filters from that receipt, refunded to the card it was paid by
    await receipt.get_by_role("button", name="New sale").click()
    returns = page.get_by_role("region", name="Returns")
    await returns.get_by_label("Receipt number").fill(number)
    await returns.get_by_role("button", name="Find receipt").click()
    await returns.get_by_label("Return quantity of Paper filters 100 pcs").fill("1")
    await returns.get_by_label("Return reason").fill("Wrong size")
    await returns.get_by_role("button", name="Process return").click()
    await expect(returns.get_by_role("status")).to_contain_text("Refunded €3.3")
    async with pos.api() as client:
        after = (await gql(client, SALE, {"n": number}))["saleByReceipt"]
    assert {line["name"]: line["returnedQuantity"] for line in after["lines"]}[
        "Paper filters 100 pcs"
    ] == 1

    # close the shift: 100.00 float + 20.05 cash taken; the card refund does not touch it
    close = page.get_by_role("region", name="Close shift")
    await close.get_by_label("Counted cash (EUR)").fill("120.05")
    await close.get_by_role("button", name="Close shift").click()
    z = page.get_by_role("region", name="Z report")
    await expect(z).to_be_visible()
    cash_row = z.get_by_role("row").filter(has_text="CASH")
    await expect(cash_row).to_contain_text("€120.05")
    await expect(cash_row).to_contain_text("€0.00")
    await expect(z).to_contain_text("Sales")
    await browser_page.screenshot("app-till-z-report")
    assert browser_page.left_loopback() == []


async def test_a_product_created_in_the_back_office_sells_at_the_till(
    pos: RunningPos, browser_page: BrowserPage
) -> None:
    page = browser_page.page
    tag = uuid4().hex[:6].upper()
    barcode = ean13(f"20{uuid4().int % 10**10:010d}")
    await sign_in_ui(page, pos, "manager")
    await open_screen(page, "Products")
    form = page.get_by_role("region", name="New product")
    await form.get_by_label("SKU").fill(f"WEB-TILL-{tag}")
    await form.get_by_label("Name").fill(f"Hojicha {tag}")
    await form.get_by_label("Category").select_option(label="Tea")
    await form.get_by_label("Price").fill("8.80")
    await form.get_by_label("Barcode").fill(barcode)
    await form.get_by_label("Tax class").fill("REDUCED")
    await form.get_by_role("button", name="Create").click()
    await expect(form.get_by_role("status")).to_contain_text("created")

    # the manager rings it up at the till (managers sell too)
    register = await new_register(pos)
    await open_screen(page, "Till")
    await choose_register(page, register)
    await open_shift(page, "50.00")
    await scan(page, barcode)
    basket = page.get_by_role("region", name="Basket")
    await expect(basket).to_contain_text(f"Hojicha {tag}")
    await expect(page.get_by_test_id("sale-total")).to_have_text("€8.80")
    pay = page.get_by_role("region", name="Payment")
    await pay.get_by_label("Amount (EUR)").fill("10.00")
    await pay.get_by_role("button", name="Take cash").click()
    await expect(page.get_by_test_id("sale-change")).to_have_text("€1.20")
    await pay.get_by_role("button", name="Complete sale").click()
    await expect(page.get_by_test_id("receipt")).to_contain_text(f"Hojicha {tag}")


SALES_AT = """query($r: ID!) { sales(registerId: $r, status: COMPLETED, first: 20) {
  totalCount nodes { receiptNumber total { amount } } } }"""


async def test_the_till_sells_offline_and_the_queue_replays_exactly_once(
    pos: RunningPos, browser_page: BrowserPage
) -> None:
    page = browser_page.page
    register = await new_register(pos)
    await sign_in_ui(page, pos, "cashier")
    await choose_register(page, register)
    await open_shift(page, "100.00")
    await expect(
        page.get_by_text(re.compile(r"\d+ products kept for offline selling"))
    ).to_be_visible()

    await browser_page.context.set_offline(True)
    await expect(page.get_by_role("status", name="Connection")).to_have_text("Offline")
    offline = page.get_by_role("region", name=re.compile("^Offline sale"))
    scan_field = offline.get_by_label("Scan or type a barcode or SKU")
    for code in (BREWER, FILTERS):
        await scan_field.fill(code)
        await scan_field.press("Enter")
    await expect(page.get_by_test_id("offline-total")).to_have_text("€44.40")
    await offline.get_by_label("Amount (EUR)").fill("50.00")
    await offline.get_by_role("button", name="Take cash").click()
    await expect(page.get_by_test_id("offline-change")).to_have_text("€5.60")
    await offline.get_by_role("button", name="Complete sale offline").click()
    await expect(offline.get_by_role("status")).to_have_text(
        "Sale queued (€44.40): it is sent when the gateway is back."
    )
    # a second one, by card (the terminal's reference typed in)
    await scan_field.fill(KETTLE)
    await scan_field.press("Enter")
    await offline.get_by_label("Card reference").fill("AUTH-OFFLINE-1")
    await offline.get_by_role("button", name="Take card").click()
    await offline.get_by_role("button", name="Complete sale offline").click()
    queue = page.get_by_role("region", name="Queued while offline")
    await expect(queue.get_by_test_id("queue-count")).to_have_text("2")
    await expect(queue.get_by_role("listitem")).to_have_count(2)
    await browser_page.screenshot("app-till-offline-queue")

    await browser_page.context.set_offline(False)
    await expect(page.get_by_role("status", name="Connection")).to_have_text(
        "Online", timeout=20_000
    )
    await expect(queue.get_by_test_id("queue-count")).to_have_text("0", timeout=20_000)
    await expect(queue.get_by_text(re.compile("sent as receipt"))).to_have_count(2)
    async with pos.api() as client:
        sold = (await gql(client, SALES_AT, {"r": register.id}))["sales"]
        assert sold["totalCount"] == 2, sold
        assert sorted(s["total"]["amount"] for s in sold["nodes"]) == ["44.40", "49.00"]
        # the network drops and comes back again, and the page is reloaded: still twice
        await browser_page.context.set_offline(True)
        await expect(page.get_by_role("status", name="Connection")).to_have_text("Offline")
        await browser_page.context.set_offline(False)
        await expect(page.get_by_role("status", name="Connection")).to_have_text(
            "Online", timeout=20_000
        )
        await page.reload()
        await expect(queue.get_by_text(re.compile("sent as receipt"))).to_have_count(2)
        again = (await gql(client, SALES_AT, {"r": register.id}))["sales"]
    assert again["totalCount"] == 2, again
    await browser_page.screenshot("app-till-offline-replayed")


SALES_WITH_DISCOUNTS = """query($r: ID!) { sales(registerId: $r, status: COMPLETED, first: 5) {
  nodes { total { amount } discounts { kind percent amount { amount } lineId reason } } } }"""


async def test_offline_the_till_queues_discounts_within_the_threshold_and_names_the_rest(
    pos: RunningPos, browser_page: BrowserPage
) -> None:
    page = browser_page.page
    register = await new_register(pos)
    await sign_in_ui(page, pos, "cashier")
    await choose_register(page, register)
    await open_shift(page, "100.00")
    await expect(
        page.get_by_text(re.compile(r"\d+ products kept for offline selling"))
    ).to_be_visible()
    await browser_page.context.set_offline(True)
    offline = page.get_by_role("region", name=re.compile("^Offline sale"))
    await expect(
        offline.get_by_role("note").filter(has_text="Needs the connection")
    ).to_contain_text(
        "past 20% (a supervisor's approval), customer lookup and attach, returns, the cash drawer"
    )
    await expect(page.get_by_role("region", name="Returns")).to_have_count(0)
    await expect(page.get_by_role("region", name="Customer")).to_have_count(0)
    scan_field = offline.get_by_label("Scan or type a barcode or SKU")
    for code in (KETTLE, FILTERS):
        await scan_field.fill(code)
        await scan_field.press("Enter")
    await expect(page.get_by_test_id("offline-total")).to_have_text("€53.50")

    # past S01's 20% a supervisor approves, which the till cannot reach offline
    discount = offline.get_by_role("form", name="Discount")
    await discount.get_by_label("Discount percent").fill("25")
    await discount.get_by_label("Reason").fill("Loyal customer")
    await discount.get_by_role("button", name="Apply discount").click()
    await expect(discount.get_by_role("alert")).to_contain_text(
        "Past 20% a supervisor must approve, which needs the connection"
    )
    # €4.00 off the filters is 88.9% of that line: refused too
    await discount.get_by_label("Discount type").select_option(label="Amount off")
    await discount.get_by_label("Discount amount (EUR)").fill("4.00")
    await discount.get_by_label("Applies to").select_option(label="Paper filters 100 pcs")
    await discount.get_by_role("button", name="Apply discount").click()
    await expect(discount.get_by_role("alert")).to_contain_text("Past 20%")
    # within it: €0.50 off the filters, then 10% off the sale, both queued with the sale
    await discount.get_by_label("Discount amount (EUR)").fill("0.50")
    await discount.get_by_label("Reason").fill("Torn pack")
    await discount.get_by_role("button", name="Apply discount").click()
    await expect(discount.get_by_role("alert")).to_have_count(0)
    await discount.get_by_label("Discount type").select_option(label="Percent off")
    await discount.get_by_label("Applies to").select_option(label="Whole sale")
    await discount.get_by_label("Discount percent").fill("10")
    await discount.get_by_label("Reason").fill("Regular")
    await discount.get_by_role("button", name="Apply discount").click()
    # 53.00 after the line discount, 10% = 5.30 off: 47.70
    await expect(page.get_by_test_id("offline-total")).to_have_text("€47.70")
    await expect(page.get_by_test_id("offline-discount")).to_have_text("\u2212€5.80")
    await offline.get_by_label("Amount (EUR)").fill("50.00")
    await offline.get_by_role("button", name="Take cash").click()
    await expect(page.get_by_test_id("offline-change")).to_have_text("€2.30")
    await offline.get_by_role("button", name="Complete sale offline").click()
    queue = page.get_by_role("region", name="Queued while offline")
    await expect(queue.get_by_test_id("queue-count")).to_have_text("1")
    await browser_page.screenshot("app-till-offline-discount")

    await browser_page.context.set_offline(False)
    await expect(queue.get_by_test_id("queue-count")).to_have_text("0", timeout=20_000)
    await expect(queue.get_by_text(re.compile("sent as receipt"))).to_have_count(1)
    async with pos.api() as client:
        sold = (await gql(client, SALES_WITH_DISCOUNTS, {"r": register.id}))["sales"]["nodes"]
    assert len(sold) == 1 and sold[0]["total"]["amount"] == "47.70", sold
    discounts = sorted(sold[0]["discounts"], key=lambda d: d["kind"])
    assert discounts[0]["kind"] == "AMOUNT" and discounts[0]["amount"]["amount"] == "0.50"
    assert discounts[0]["lineId"] is not None and discounts[0]["reason"] == "Torn pack"
    assert discounts[1] == {
        "kind": "PERCENT",
        "percent": "10",
        "amount": None,
        "lineId": None,
        "reason": "Regular",
    }


TODAY_AT_S01 = re.compile(r"Sales today S01")
STORE_SALES_TODAY = """query($d: Date!) { storeSales(from: $d, to: $d, groupBy: STORE) {
  store { code } saleCount grossAfterReturns { amount } } }"""


async def s01_today(pos: RunningPos) -> tuple[int, str]:
    """S01's sales today as the reports read model has them, once it stopped moving (the
    demo seed's sales may still be reaching it)."""
    day = datetime.now(UTC).date().isoformat()
    last: tuple[int, str] | None = None
    async with pos.api() as client:
        for _ in range(30):
            rows = (await gql(client, STORE_SALES_TODAY, {"d": day}))["storeSales"]
            row = next((r for r in rows if r["store"]["code"] == "S01"), None)
            now = (row["saleCount"], row["grossAfterReturns"]["amount"]) if row else (0, "0.00")
            if now == last:
                return now
            last = now
            await asyncio.sleep(1.5)
    raise AssertionError(f"S01's sales today keep moving: {last}")


async def test_the_managers_dashboard_moves_live_while_a_second_browser_sells(
    pos: RunningPos, browser_page: BrowserPage, tmp_path: Path
) -> None:
    manager = browser_page.page
    register = await new_register(pos)
    queries: list[str] = []
    pushed: list[str] = []

    def on_request(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/graphql"):
            queries.append(request.post_data or "")

    def on_socket(socket: WebSocket) -> None:
        socket.on("framereceived", lambda frame: pushed.append(str(frame)))

    count, gross = await s01_today(pos)
    manager.on("request", on_request)
    manager.on("websocket", on_socket)
    await sign_in_ui(manager, pos, "manager")
    tile = manager.get_by_role("region", name=TODAY_AT_S01)
    await expect(tile.get_by_test_id("sales-today-S01")).to_have_text(f"€{gross}")
    before = await tile.get_by_test_id("sales-today-S01").inner_text()
    await manager.wait_for_timeout(1000)
    idle = len(queries)
    await manager.wait_for_timeout(3000)
    assert queries[idle:] == [], "the dashboard polls"

    # a second browser (its own profile and session, another device) sells at a till
    async with another_browser(tmp_path / "till-profile") as second:
        till = second.pages[0] if second.pages else await second.new_page()
        await sign_in_ui(till, pos, "cashier")
        await choose_register(till, register)
        await open_shift(till, "100.00")
        await scan(till, KETTLE)
        await expect(till.get_by_test_id("sale-total")).to_have_text("€49.00")
        pay = till.get_by_role("region", name="Payment")
        await pay.get_by_label("Amount (EUR)").fill("50.00")
        await pay.get_by_role("button", name="Take cash").click()
        before_sale = len(queries)
        await pay.get_by_role("button", name="Complete sale").click()
        receipt = till.get_by_role("region", name=re.compile(r"^Receipt "))
        number = (await receipt.get_by_role("heading").inner_text()).removeprefix("Receipt ")

    # the manager's screen follows by push: the sale is listed, S01's takings grow by 49.00
    await expect(manager.get_by_test_id("live-sales")).to_contain_text(number.strip())
    await expect(tile.get_by_test_id("sales-today-S01")).not_to_have_text(before, timeout=15_000)
    after = await tile.get_by_test_id("sales-today-S01").inner_text()
    assert _euros(after) - _euros(before) == pytest.approx(49.00), (before, after)
    assert await s01_today(pos) == (count + 1, after.removeprefix("€").replace(",", ""))
    assert any("saleCompleted" in frame and number.strip() in frame for frame in pushed)
    # what it asked meanwhile was today's figures, a few times at most, and then nothing
    caught_up = queries[before_sale:]
    assert 1 <= len(caught_up) <= 5 and all("DashboardToday" in q for q in caught_up), caught_up
    settled = len(queries)
    await manager.wait_for_timeout(4000)
    assert queries[settled:] == [], "the dashboard polls after the push"
    await browser_page.screenshot("app-dashboard-live")


def _euros(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text.replace(",", "")))


async def test_at_the_devices_register_a_cashier_signs_in_with_a_pin(
    pos: RunningPos, browser_page: BrowserPage
) -> None:
    page = browser_page.page
    register = await new_register(pos)
    await sign_in_ui(page, pos, "cashier")
    await choose_register(page, register)
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await expect(page.get_by_role("button", name="Sign in with a password")).to_be_visible()
    await page.get_by_label("Username").fill("cashier")
    await page.get_by_label("PIN").fill(pos.pin("cashier"))
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("heading", level=1, name="Till")).to_be_visible()
    await expect(page.get_by_text(register.label.split()[1]).first).to_be_visible()

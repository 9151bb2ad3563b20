"""The web app's back office in Chromium, through the real gateway of a `pos run`.

A manager signs in, lands on the dashboard, creates a product (which the graph then
has), sees the reports with charts and exports one as CSV, and watches an order's status
change live; a cashier never sees the manager's screens. The browser is offline except
for loopback: the app needs no CDN. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest
import pytest_asyncio
from playwright.async_api import expect

from tests.browser.conftest import BrowserPage
from tests.browser.pos_app import RunningPos, gql, open_screen, running_pos, sign_in_ui


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pos(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningPos]:
    async with running_pos(tmp_path_factory.mktemp("pos-app")) as running:
        yield running


async def test_pos_run_prints_the_app_url_and_it_serves_the_app(
    pos: RunningPos, browser_page: BrowserPage
) -> None:
    assert pos.printed_app_url() == f"{pos.base_url}/"
    assert any(line.strip().startswith("cashier ") for line in pos.lines)
    page = browser_page.page
    response = await page.goto(pos.printed_app_url())
    assert response is not None and response.status == 200
    assert "default-src 'self'" in (await response.all_headers())["content-security-policy"]
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    # a bookmarked screen opens the app too; GraphiQL keeps its own URL
    deep = await page.goto(f"{pos.base_url}/reports")
    assert deep is not None and deep.status == 200
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    graphiql = await page.goto(f"{pos.base_url}/graphql")
    assert graphiql is not None and graphiql.status == 200
    assert "graphiql" in (await page.content()).lower()
    assert browser_page.left_loopback() == []


async def test_a_wrong_password_is_refused_with_the_graphs_error(
    pos: RunningPos, browser_page: BrowserPage
) -> None:
    page = browser_page.page
    await page.goto(f"{pos.base_url}/")
    await page.get_by_label("Username").fill("manager")
    await page.get_by_label("Password").fill("not-the-password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("Error")
    await expect(page.get_by_role("navigation", name="Main")).to_have_count(0)


async def test_manager_signs_in_and_creates_a_product(
    pos: RunningPos, browser_page: BrowserPage
) -> None:
    page = browser_page.page
    await sign_in_ui(page, pos, "manager")
    await expect(page).to_have_url(f"{pos.base_url}/dashboard")
    await expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    await open_screen(page, "Products")
    sku = f"WEB-{uuid4().hex[:6].upper()}"
    form = page.get_by_role("region", name="New product")
    await form.get_by_label("SKU").fill(sku)
    await form.get_by_label("Name").fill("Oolong tin 100 g")
    await form.get_by_label("Category").select_option(label="Tea")
    await form.get_by_label("Price").fill("12.40")
    await form.get_by_role("button", name="Create").click()
    await expect(form.get_by_role("status")).to_have_text("Product Oolong tin 100 g created.")
    listing = page.get_by_role("region", name="Products", exact=True)
    await listing.get_by_label("Search").fill(sku)
    row = listing.get_by_role("row").filter(has_text=sku)
    await expect(row).to_contain_text("Oolong tin 100 g")
    await expect(row).to_contain_text("12.40")
    # the price change goes through the graph and the list shows the graph's answer
    await row.get_by_role("button", name="Edit Oolong tin 100 g").click()
    editor = page.get_by_role("region", name="Edit Oolong tin 100 g")
    await editor.get_by_label("Price (EUR)").fill("13.10")
    await editor.get_by_role("button", name="Change price").click()
    await expect(editor.get_by_role("status")).to_have_text("Saved.")
    await expect(row).to_contain_text("13.10")
    await browser_page.screenshot("app-products")
    async with pos.api() as client:
        found = await gql(
            client,
            "query($sku: String!) { productBySku(sku: $sku) { name unitPrice { amount } } }",
            {"sku": sku},
        )
    assert found["productBySku"] == {"name": "Oolong tin 100 g", "unitPrice": {"amount": "13.10"}}
    assert browser_page.left_loopback() == []


async def test_a_cashier_does_not_see_the_managers_screens(
    pos: RunningPos, browser_page: BrowserPage
) -> None:
    page = browser_page.page
    await sign_in_ui(page, pos, "cashier")
    await expect(page).to_have_url(f"{pos.base_url}/till")
    menu = page.get_by_role("navigation", name="Main")
    await expect(menu.get_by_role("link", name="Till")).to_be_visible()
    await expect(menu.get_by_role("link", name="Orders")).to_be_visible()
    for screen in ("Dashboard", "Products", "Categories", "Reports", "Staff", "Stores & registers"):
        await expect(menu.get_by_role("link", name=screen)).to_have_count(0)
    # typing a manager's URL shows "Not available", and the graph refuses the data anyway
    await page.goto(f"{pos.base_url}/reports")
    await expect(page.get_by_role("heading", name="Not available")).to_be_visible()
    await browser_page.screenshot("app-cashier-forbidden")


async def test_reports_render_charts_and_export_csv(
    pos: RunningPos, browser_page: BrowserPage, tmp_path: Path
) -> None:
    page = browser_page.page
    await sign_in_ui(page, pos, "manager")
    await open_screen(page, "Reports")
    for title in (
        "Paid orders per day",
        "Sales over time",
        "Sales by hour",
        "Tender mix",
        "Top products",
        "Taxes collected",
        "Shift over/short",
    ):
        await expect(page.get_by_role("region", name=title)).to_be_visible()
    top = page.get_by_role("region", name="Top products")
    await expect(top.get_by_role("img", name="Chart: Top products")).to_be_visible()
    # the demo shop's paid orders: a ranked table of real products
    await expect(top.get_by_role("row")).not_to_have_count(0)
    assert await top.get_by_role("row").count() > 1
    async with page.expect_download() as download_info:
        await top.get_by_role("button", name=re.compile("Export CSV")).click()
    download = await download_info.value
    target = tmp_path / download.suggested_filename
    await download.save_as(target)
    lines = target.read_text().splitlines()
    assert lines[0] == "SKU,Name,Units,Revenue"
    assert len(lines) >= 2
    await browser_page.screenshot("app-reports")


ORDER_TO_PAY = """query { orders(first: 50, status: CONFIRMED) {
  nodes { id number total { amount } } } }"""
PAY = """mutation($input: PayOrderInput!) { payOrder(input: $input) { status } }"""
SHIP = """mutation($id: ID!) { shipOrder(id: $id) { status } }"""


async def test_order_status_follows_the_graph_live(
    pos: RunningPos, browser_page: BrowserPage
) -> None:
    page = browser_page.page
    async with pos.api() as client:
        orders = (await gql(client, ORDER_TO_PAY))["orders"]["nodes"]
        assert orders, "the demo shop has confirmed orders"
        order = orders[0]
        await sign_in_ui(page, pos, "manager")
        await open_screen(page, "Orders")
        await page.get_by_label("Status").select_option("CONFIRMED")
        await page.get_by_role("button", name=order["number"]).click()
        detail = page.get_by_role("region", name=f"Order {order['number']}")
        status = detail.get_by_test_id("live-status")
        await expect(status).to_have_text("CONFIRMED")
        await page.wait_for_timeout(500)  # the subscription reaches the gateway
        requests_before = len(browser_page.posted)
        # someone else pays and ships it: the open screen follows without a reload
        await gql(client, PAY, {"input": {"id": order["id"], "method": "CARD",
                                          "amount": order["total"]["amount"]}})  # fmt: skip
        await expect(status).to_have_text("PAID")
        await gql(client, SHIP, {"id": order["id"]})
        await expect(status).to_have_text("SHIPPED")
        # pushed over the WebSocket: the page sent no query to learn it
        assert len(browser_page.posted) == requests_before
    await browser_page.screenshot("app-order-live")

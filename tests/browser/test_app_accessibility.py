"""Accessibility of the app's main screens, checked by axe-core (WCAG 2.x A and AA) in
Chromium through a real `pos run`, and a sale made with the keyboard alone.

Screens: sign-in, the till (with a basket and the payment panel), the dashboard, products.
A violation fails the test with axe's rule, impact and the elements it found.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Page, expect

from tests.browser.conftest import BrowserPage
from tests.browser.pos_app import (
    RunningPos,
    axe_violations,
    choose_register,
    gql,
    new_register,
    open_screen,
    open_shift,
    running_pos,
    scan,
    sign_in_ui,
)

KETTLE = "8712345000219"  # 49.00 at S01


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pos(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningPos]:
    async with running_pos(tmp_path_factory.mktemp("pos-a11y")) as running:
        yield running


async def assert_accessible(page: Page, screen: str) -> None:
    violations = await axe_violations(page)
    assert violations == [], f"{screen}:\n" + "\n".join(violations)


async def test_sign_in_dashboard_and_products_pass_axe(
    pos: RunningPos, browser_page: BrowserPage
) -> None:
    page = browser_page.page
    await page.goto(f"{pos.base_url}/")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await assert_accessible(page, "sign-in")
    # the check can fail: an unlabelled field and a faint text are found
    await page.evaluate(
        """() => { const probe = document.createElement("div");
            probe.id = "axe-probe";
            probe.innerHTML = '<input type="text"><p style="color:#ccc;background:#fff">faint</p>';
            document.querySelector("main").append(probe); }"""
    )
    found = " ".join(await axe_violations(page))
    assert "label" in found and "color-contrast" in found, found
    await page.evaluate("() => document.getElementById('axe-probe').remove()")
    await sign_in_ui(page, pos, "manager")
    await expect(page.get_by_role("region", name=re.compile("Sales today")).first).to_be_visible()
    await assert_accessible(page, "dashboard")
    await open_screen(page, "Products")
    await expect(page.get_by_role("table").first).to_be_visible()
    await assert_accessible(page, "products")
    await open_screen(page, "Reports")
    await expect(page.get_by_role("img").first).to_be_visible()
    await assert_accessible(page, "reports")
    await open_screen(page, "Stock")
    await assert_accessible(page, "stock")


async def test_the_till_passes_axe_with_a_basket(
    pos: RunningPos, browser_page: BrowserPage
) -> None:
    page = browser_page.page
    register = await new_register(pos)
    await sign_in_ui(page, pos, "cashier")
    await choose_register(page, register)
    await open_shift(page, "100.00")
    await scan(page, KETTLE)
    await expect(page.get_by_test_id("sale-total")).to_have_text("€49.00")
    await assert_accessible(page, "till")
    # the supervisor prompt: a labelled modal dialog with the focus inside; Escape closes it
    discount = page.get_by_role("region", name="Discount")
    await discount.get_by_label("Discount percent").fill("25")
    await discount.get_by_label("Reason").fill("Loyal customer")
    await discount.get_by_role("button", name="Apply discount").click()
    dialog = page.get_by_role("dialog", name="Supervisor approval")
    await expect(dialog.get_by_label("Supervisor username")).to_be_focused()
    await assert_accessible(page, "supervisor approval")
    await page.keyboard.press("Escape")
    await expect(dialog).to_have_count(0)
    await expect(page.get_by_role("textbox", name="Scan or type a barcode or SKU")).to_be_focused()


SALES_AT = """query($r: ID!) { sales(registerId: $r, status: COMPLETED, first: 5) {
  nodes { receiptNumber total { amount } tenders { kind amount { amount } } } } }"""


async def tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element is the button or field called `name`."""
    for _ in range(limit):
        focused = await page.evaluate(
            """() => { const e = document.activeElement; if (!e) return "";
                return (e.getAttribute("aria-label") || e.labels?.[0]?.textContent
                        || e.textContent || "").trim(); }"""
        )
        if focused == name:
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {name!r}")


async def test_a_sale_with_the_keyboard_only(pos: RunningPos, browser_page: BrowserPage) -> None:
    page = browser_page.page
    register = await new_register(pos)
    await page.goto(f"{pos.base_url}/")
    # sign in: the username field has the focus; Tab to the password, Enter submits
    await expect(page.get_by_label("Username")).to_be_focused()
    await page.keyboard.type("cashier")
    await page.keyboard.press("Tab")
    await page.keyboard.type(pos.password("cashier"))
    await page.keyboard.press("Enter")
    await expect(
        page.get_by_role("heading", level=1, name=re.compile("Till|Choose"))
    ).to_be_visible()
    await tab_to(page, f"Use this register: {register.label}")
    await page.keyboard.press("Enter")
    # the opening float field has the focus: type it, Enter
    form = page.get_by_role("region", name="Open shift")
    await expect(form.get_by_label(re.compile("Opening float"))).to_be_focused()
    await page.keyboard.press("Control+A")
    await page.keyboard.type("100.00")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("textbox", name="Scan or type a barcode or SKU")).to_be_focused()
    await scan(page, KETTLE)
    await expect(page.get_by_test_id("sale-total")).to_have_text("€49.00")
    # pay: Tab to the amount, type 50.00, Tab to "Take cash", Enter, then "Complete sale"
    await tab_to(page, "Amount (EUR)")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("50.00")
    await tab_to(page, "Take cash")
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("sale-change")).to_have_text("€1.00")
    await tab_to(page, "Complete sale")
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("receipt")).to_be_visible()
    # "New sale" has the focus: Enter starts the next one at the scan field
    await expect(page.get_by_role("button", name="New sale")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("textbox", name="Scan or type a barcode or SKU")).to_be_focused()
    async with pos.api() as client:
        sold = (await gql(client, SALES_AT, {"r": register.id}))["sales"]["nodes"]
    assert [(s["total"]["amount"], s["tenders"][0]["amount"]["amount"]) for s in sold] == [
        ("49.00", "50.00")
    ]

"""The POS web app in Chromium against a real `pos run` (the embedded default, started as
a user starts it): helpers the tests/browser/test_app_*.py files share.

`pos run` is a child process on a free loopback port with its own data dir; the app is
what it serves at `/`. Staff sign in through the app's own form with the passwords
`pos run` printed (DEV DEFAULTS), as a newcomer following the README would.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from playwright.async_api import BrowserContext, Page, async_playwright, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.pos_process import SIGN_IN, PosRun, free_port, printed_password


@dataclass
class RunningPos:
    """A `pos run` child process and what it printed."""

    process: PosRun
    base_url: str

    @property
    def lines(self) -> list[str]:
        return self.process.lines

    def password(self, username: str) -> str:
        return printed_password(self.lines, username)

    def pin(self, username: str) -> str:
        """A demo member's PIN as `pos run` printed it."""
        for line in self.lines:
            match = re.match(rf"\s+{re.escape(username)}\s+password\s+\S+\s+PIN\s+(\d+)", line)
            if match:
                return match.group(1)
        raise AssertionError(f"no PIN printed for {username}:\n" + "".join(self.lines))

    def printed_app_url(self) -> str:
        for line in self.lines:
            match = re.match(r"POS app \(till, back office, reports\): (\S+)", line)
            if match:
                return match.group(1)
        raise AssertionError("pos run printed no app URL:\n" + "".join(self.lines))

    @contextlib.asynccontextmanager
    async def api(self, username: str = "manager") -> AsyncIterator[httpx.AsyncClient]:
        """An HTTP client on the gateway, signed in as a demo member."""
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as client:
            credentials = {"username": username, "password": self.password(username)}
            response = await client.post(
                "/graphql", json={"query": SIGN_IN, "variables": {"input": credentials}}
            )
            body = response.json()
            # the graph's answer in full when it refuses (a bare TypeError told nothing)
            assert (body.get("data") or {}).get("signIn"), (response.status_code, body)
            client.headers["Authorization"] = f"Bearer {body['data']['signIn']['accessToken']}"
            yield client


@contextlib.asynccontextmanager
async def running_pos(data_dir: Path) -> AsyncIterator[RunningPos]:
    """`pos run` with the demo data, stopped (Ctrl-C, then killed) when the block ends."""
    process = PosRun(data_dir, free_port())
    try:
        url = await process.start(timeout=180)
        yield RunningPos(process, url.removesuffix("/graphql"))
    finally:
        with contextlib.suppress(Exception):
            await process.interrupt(timeout=20)
        await process.kill()


async def gql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> Any:
    """POST an operation; its data (errors fail the test)."""
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]


async def sign_in_ui(page: Page, pos: RunningPos, username: str) -> None:
    """Open the app and sign in through its form; wait for the menu."""
    await page.goto(f"{pos.base_url}/")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(pos.password(username))
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    await expect(page.get_by_role("status", name="Connection")).to_have_text("Online")


async def open_screen(page: Page, name: str) -> None:
    await page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()
    await expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


ADD_REGISTER = """mutation($input: AddRegisterInput!) { addRegister(input: $input) { id code } }"""
STORES = """query { stores(first: 10) { nodes { id code } } }"""


@dataclass(frozen=True)
class Register:
    id: str
    label: str  # what the till's register picker shows, e.g. "S01 T3F9A"


async def new_register(pos: RunningPos, store_code: str = "S01") -> Register:
    """A register of its own for a test (the demo seed already sells at R1 and R2)."""
    async with pos.api() as client:
        stores = (await gql(client, STORES))["stores"]["nodes"]
        store = next(s for s in stores if s["code"] == store_code)
        code = f"T{uuid4().hex[:5].upper()}"
        added = await gql(client, ADD_REGISTER, {"input": {"storeId": store["id"], "code": code}})
    return Register(added["addRegister"]["id"], f"{store_code} {code}")


async def choose_register(page: Page, register: Register) -> None:
    """On the till's first use, pick its register."""
    await page.get_by_role("button", name=f"Use this register: {register.label}").click()
    await expect(page.get_by_role("heading", level=1, name="Till")).to_be_visible()


async def open_shift(page: Page, opening_float: str = "100.00") -> None:
    form = page.get_by_role("region", name="Open shift")
    await expect(form).to_be_visible(timeout=20_000)
    await form.get_by_label(re.compile("Opening float")).fill(opening_float)
    await form.get_by_role("button", name="Open shift").click()
    await expect(page.get_by_role("textbox", name="Scan or type a barcode or SKU")).to_be_focused()


async def scan(page: Page, code: str) -> None:
    """What a keyboard-wedge scanner does: type the code into the focused field, Enter."""
    await page.keyboard.type(code)
    await page.keyboard.press("Enter")


def ean13(body12: str) -> str:
    """An EAN-13 from its first 12 digits (the check digit added)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


@contextlib.asynccontextmanager
async def another_browser(profile: Path) -> AsyncIterator[BrowserContext]:
    """A second Chromium with its own profile (its own storage and session): a second
    device, not a tab of the first."""
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
        )
        context.set_default_timeout(10_000)
        try:
            yield context
        finally:
            await context.close()


AXE = Path(__file__).parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


async def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.x A/AA violations on the page as it is now, one line each (rule,
    impact, the elements). axe (web/node_modules, pinned in web/package.json) is evaluated
    through the DevTools protocol, which the page's CSP does not govern."""
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(AXE.read_text())
    found = await page.evaluate(
        """async (tags) => {
            const only = { runOnly: { type: "tag", values: tags } };
            const result = await window.axe.run(document, only);
            return result.violations.map((v) => {
                const where = v.nodes.map((n) => n.target.join(" ")).join(", ");
                return `${v.id} (${v.impact}): ${v.help} at ${where}`;
            });
        }""",
        WCAG_AA,
    )
    return [str(line) for line in found]

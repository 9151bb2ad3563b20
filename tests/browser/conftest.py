"""Fixtures: headless Chromium (the Debian package) driven by Playwright, offline.

Chromium is /usr/bin/chromium from `apt-get install chromium` (scripts/setup installs it);
Playwright's own browser download (`playwright install`) is never used. Every request that
is not to 127.0.0.1/localhost is aborted and recorded, so a test proves the page works
with no internet.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import (
    BrowserContext,
    Page,
    Route,
    WebSocket,
    WebSocketRoute,
    async_playwright,
)

sys.path.insert(0, str(Path(__file__).parents[1] / "supergraph" / "fixtures"))

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Without the background-networking flags Chromium stalls trying to reach Google.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def is_loopback(url: str) -> bool:
    """True for URLs the test may reach: loopback, or in-page ones (data:, blob:)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return (parts.hostname or "") in LOOPBACK_HOSTS


@dataclass
class BrowserPage:
    """A fresh Chromium page plus every URL it asked for (HTTP and WebSocket)."""

    context: BrowserContext
    page: Page
    requested: list[str] = field(default_factory=list)
    posted: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    async def close(self) -> None:
        """Close the browser, dropping its keep-alive connections: call it before the
        served app stops, or uvicorn waits out its graceful-shutdown timeout."""
        await self.context.close()

    def left_loopback(self) -> list[str]:
        """Requested URLs that were not to 127.0.0.1/localhost (all of them were aborted)."""
        return [url for url in self.requested if not is_loopback(url)]

    async def screenshot(self, name: str) -> Path:
        """Save a full-page PNG under tests/artifacts/ (gitignored) and print its path."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        return path


@pytest.fixture
async def browser_page(tmp_path: Path) -> AsyncIterator[BrowserPage]:
    """A page in headless Chromium with a fresh profile, offline except for loopback."""
    assert CHROMIUM.exists(), f"{CHROMIUM} missing: run scripts/setup (apt chromium)"
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
        )
        try:
            context.set_default_timeout(10_000)
            page = context.pages[0] if context.pages else await context.new_page()
            recorder = BrowserPage(context, page)

            async def only_loopback(route: Route) -> None:
                url = route.request.url
                recorder.requested.append(url)
                if route.request.method == "POST":
                    recorder.posted.append(url)
                if is_loopback(url):
                    await route.continue_()
                else:
                    recorder.blocked.append(url)
                    await route.abort("internetdisconnected")

            def on_websocket(socket: WebSocket) -> None:
                recorder.requested.append(socket.url)

            async def refuse_socket(socket: WebSocketRoute) -> None:
                recorder.blocked.append(socket.url)
                await socket.close(code=1008, reason="offline test")

            await context.route("**/*", only_loopback)
            await context.route_web_socket(lambda url: not is_loopback(url), refuse_socket)
            page.on("websocket", on_websocket)
            page.on(
                "console",
                lambda message: (
                    recorder.console_errors.append(message.text)
                    if message.type == "error"
                    else None
                ),
            )
            yield recorder
        finally:
            await context.close()

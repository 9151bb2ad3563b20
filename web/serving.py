"""Serving the built web app at `/` beside the gateway's own routes.

The bundle is built by scripts/setup (`npm run build` here: codegen, tsc, vitest, vite)
into `static/`, which git ignores and the wheel ships as package data. Its hashed assets
are served from `/assets/`; every other GET a browser makes for a page (Accept text/html)
under a path the gateway does not own answers `index.html`, so a bookmarked screen such
as `/reports` opens the app there. The page carries a strict Content-Security-Policy:
the app loads only its own scripts and talks only to its own origin (HTTP and WebSocket).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"
# The app's persisted-operation manifest ({"sha256:<hex>": document}), written by the
# build from codegen's persisted documents; the gateway loads it as trusted documents.
TRUSTED_DOCUMENTS = STATIC_DIR / "trusted-documents.json"
APP_PATH = "/"
# Paths the gateway and the subgraphs own: never answered with the app's page.
RESERVED = ("/graphql", "/subgraphs", "/graphiql", "/.well-known", "/assets", "/health")
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # Chart.js sizes its canvas with inline styles
        "img-src 'self' data: blob:",
        "connect-src 'self'",  # same-origin HTTP and WebSocket (ws: matches 'self')
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class WebAppNotBuilt(FileNotFoundError):
    """The bundle is missing: it is built by scripts/setup, not committed."""


def _index() -> Path:
    index = STATIC_DIR / "index.html"
    if not index.exists():
        raise WebAppNotBuilt(
            f"{index} is missing: run scripts/setup (or `npm ci && npm run build` in "
            f"{STATIC_DIR.parent}) to build the web app."
        )
    return index


def app_trusted_documents() -> Path:
    """The built app's trusted-document manifest (every operation it sends, by id)."""
    if not TRUSTED_DOCUMENTS.exists():
        raise WebAppNotBuilt(
            f"{TRUSTED_DOCUMENTS} is missing: run scripts/setup (or `npm ci && npm run build` "
            f"in {STATIC_DIR.parent}) to build the web app and its manifest."
        )
    return TRUSTED_DOCUMENTS


def _is_reserved(path: str) -> bool:
    return any(path == p or path.startswith(f"{p}/") for p in RESERVED)


async def _page(request: Request) -> Response:
    path = request.url.path
    wants_page = "text/html" in request.headers.get("accept", "")
    if _is_reserved(path) or not wants_page:
        return PlainTextResponse("Not Found", status_code=404)
    try:
        index = _index()
    except WebAppNotBuilt as e:
        return PlainTextResponse(str(e), status_code=503)
    return FileResponse(index, media_type="text/html", headers=PAGE_HEADERS)


def app_routes() -> list[BaseRoute]:
    """The app's routes; put them after every other route (the page route is a catch-all)."""
    assets = StaticFiles(directory=str(STATIC_DIR / "assets"), check_dir=False)
    return [
        Mount("/assets", assets, name="web-assets"),
        Route("/{path:path}", _page, methods=["GET", "HEAD"], name="web-app"),
    ]


def mount_app(app: Any) -> None:
    """Add the app's routes to a Starlette app, after the routes it has."""
    app.router.routes.extend(app_routes())

"""How the gateway serves the web app (web/serving.py), without a browser: the page for
app paths a browser opens, 404 for everything the gateway owns or a script asks for, the
security headers; and the build's promise that a schema change breaking an operation
fails (GraphQL Code Generator validates every operation against the supergraph)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from web import STATIC_DIR, mount_app

ROOT = Path(__file__).resolve().parents[2]
HTML = {"accept": "text/html,application/xhtml+xml"}


def app_with_gateway_route() -> Starlette:
    async def graphql(_request: object) -> PlainTextResponse:
        return PlainTextResponse("gateway")

    app = Starlette(routes=[Route("/graphql", graphql, methods=["GET", "POST"])])
    mount_app(app)
    return app


async def test_app_paths_get_the_page_and_the_gateways_own_paths_do_not() -> None:
    assert (STATIC_DIR / "index.html").exists(), "run scripts/setup to build the web app"
    transport = httpx.ASGITransport(app=app_with_gateway_route())
    async with httpx.AsyncClient(transport=transport, base_url="http://pos.test") as client:
        for path in ("/", "/till", "/reports", "/orders/abc"):
            page = await client.get(path, headers=HTML)
            assert page.status_code == 200, path
            assert '<div id="root">' in page.text
            assert "script-src 'self'" in page.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
            assert page.headers["x-content-type-options"] == "nosniff"
        assert (await client.get("/graphql", headers=HTML)).text == "gateway"
        for path in ("/subgraphs/catalog/graphql", "/.well-known/nothing", "/graphiql/x"):
            assert (await client.get(path, headers=HTML)).status_code == 404, path
        # a script or API client asking for an unknown path gets a 404, not the page
        assert (
            await client.get("/till", headers={"accept": "application/json"})
        ).status_code == 404
        asset = re.search(r'src="(/assets/[^"]+\.js)"', (await client.get("/", headers=HTML)).text)
        assert asset is not None
        script = await client.get(asset.group(1))
        assert script.status_code == 200
        assert "javascript" in script.headers["content-type"]
        assert (await client.get("/assets/missing.js")).status_code == 404


def test_a_schema_change_that_breaks_an_operation_fails_the_build() -> None:
    # scripts/setup needs Node: without it this is a failure, never a skip
    assert shutil.which("npx") is not None, "npx missing: run scripts/setup"
    schema = (ROOT / "schema" / "supergraph.graphql").read_text()
    # the till and the products screen select Product.barcode: drop it from the graph
    field = r'(\n  """[^\n]*""")?\n  barcode: String @join__field\(graph: CATALOG\)'
    broken = re.sub(field, "", schema, count=1)
    assert broken != schema
    # under the repository (var/ is git-ignored): codegen's loader skips temp folders
    target = ROOT / "var" / f"broken-supergraph-{os.getpid()}.graphql"
    target.parent.mkdir(exist_ok=True)
    target.write_text(broken)
    try:
        result = subprocess.run(
            ["npx", "--no-install", "graphql-codegen", "--config", "codegen.ts"],
            cwd=ROOT / "web",
            env={**os.environ, "POS_SUPERGRAPH": str(target)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        target.unlink()
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert 'Cannot query field "barcode" on type "Product"' in output, output

"""The GraphiQL bundle works offline: every script, style, font and worker is local."""

from __future__ import annotations

import json
import re

from supergraph.graphiql import STATIC_DIR, graphiql_html

CDN_HOSTS = (
    "cdn.jsdelivr.net",
    "unpkg.com",
    "esm.sh",
    "cdnjs.cloudflare.com",
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "embed.graphql.com",
)


def test_page_loads_scripts_and_styles_only_from_our_assets() -> None:
    html = graphiql_html()
    refs = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', html)
    assert refs, "the page references its bundle"
    assert all(ref.startswith("/graphiql/assets/") for ref in refs), refs
    for ref in refs:
        assert (STATIC_DIR / ref.removeprefix("/graphiql/")).is_file(), ref


def test_no_asset_loads_anything_from_the_internet() -> None:
    assets = [p for p in (STATIC_DIR / "assets").iterdir() if p.suffix in {".js", ".css"}]
    assert any(p.name.startswith("graphql.worker") for p in assets), "Monaco workers bundled"
    for path in assets:
        text = path.read_text(encoding="utf-8", errors="replace")
        for host in CDN_HOSTS:
            assert host not in text, f"{path.name} mentions {host}"
        remote = r"""(?:import\s*\(|importScripts\s*\(|new\s+Worker\s*\(|@import\s+(?:url\()?|url\()\s*["'`]?https?://"""
        assert not re.search(remote, text), f"{path.name} loads a remote resource"


def test_server_injects_endpoints_safely() -> None:
    html = graphiql_html("/api/graphql", "ws://127.0.0.1:4000/ws", default_query="</script>")
    found = re.search(
        r'<script id="pos-graphiql-config" type="application/json">(.*?)</script>', html
    )
    assert found is not None
    assert json.loads(found.group(1)) == {
        "endpoint": "/api/graphql",
        "subscriptions": "ws://127.0.0.1:4000/ws",
        "defaultQuery": "</script>",
    }

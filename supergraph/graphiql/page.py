"""The GraphiQL page for the gateway, built by Vite into `static/` (see package.json).

The gateway serves `STATIC_DIR` at `/graphiql/` (the bundle's asset URLs start with
`/graphiql/assets/`) and answers a browser's GET of the GraphQL endpoint with
`graphiql_html(...)`, which injects where to send queries and subscriptions.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
MOUNT_PATH = "/graphiql"
_CONFIG_ELEMENT = '<script id="pos-graphiql-config" type="application/json">{}</script>'


class GraphiQLNotBuilt(FileNotFoundError):
    """The bundle is missing: it is built by scripts/setup, not committed."""


@lru_cache(maxsize=1)
def _template() -> str:
    index = STATIC_DIR / "index.html"
    if not index.exists():
        raise GraphiQLNotBuilt(
            f"{index} is missing: run scripts/setup (or `npm ci && npm run build` in "
            f"{STATIC_DIR.parent}) to build the GraphiQL page."
        )
    html = index.read_text(encoding="utf-8")
    if _CONFIG_ELEMENT not in html:
        raise GraphiQLNotBuilt(f"{index} has no config element: rebuild the GraphiQL page.")
    return html


def graphiql_html(
    endpoint: str = "/graphql",
    subscriptions: str | None = None,
    *,
    default_query: str | None = None,
) -> str:
    """The page, pointed at `endpoint` (HTTP) and `subscriptions` (graphql-transport-ws).

    Without `subscriptions` the page uses the endpoint's URL with ws:/wss:. Relative
    URLs resolve against the page's own address.
    """
    config: dict[str, str] = {"endpoint": endpoint}
    if subscriptions:
        config["subscriptions"] = subscriptions
    if default_query:
        config["defaultQuery"] = default_query
    # "<" escaped so no value can close the <script> element early.
    payload = json.dumps(config).replace("<", "\\u003c")
    element = _CONFIG_ELEMENT.replace(">{}<", f">{payload}<")
    return _template().replace(_CONFIG_ELEMENT, element, 1)

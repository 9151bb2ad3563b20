"""`pos run` as a user runs it: a real process, the printed URL, GraphiQL, seeded data,
Ctrl-C, and a restart on the same data directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.e2e.pos_process import PosRun, free_port, sign_in
from tests.e2e.scenario import eventually

ROOT = Path(__file__).resolve().parents[2]
COUNTS = "{ products(first: 100) { totalCount } orders(first: 1) { totalCount } }"
SEEDED = {"products": {"totalCount": 50}, "orders": {"totalCount": 20}}


async def _query(
    client: httpx.AsyncClient,
    url: str,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        url, json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert not body.get("errors"), body["errors"]
    data: dict[str, Any] = body["data"]
    return data


async def test_pos_run_serves_graphiql_and_seeded_data_and_restarts_without_reseeding(
    tmp_path: Path,
) -> None:
    port = free_port()
    first = PosRun(tmp_path / "embedded", port)
    try:
        url = await first.start()
        assert url == f"http://127.0.0.1:{port}/graphql"
        assert "Demo data: demo data loaded\n" in first.lines
        async with httpx.AsyncClient(timeout=30) as client:
            page = await client.get(url, headers={"accept": "text/html"})
            assert page.status_code == 200
            assert page.headers["content-type"].startswith("text/html")
            assert "GraphiQL" in page.text
            # anonymous callers see the public catalog, not stock, orders or customers
            public = await _query(client, url, "{ products(first: 3) { totalCount } }")
            assert public["products"]["totalCount"] == 50
            refused = await client.post(url, json={"query": "{ orders { totalCount } }"})
            assert refused.json()["errors"][0]["extensions"]["code"] == (
                "UNAUTHORIZED_FIELD_OR_TYPE"
            )
            # the demo manager signs in with the credentials `pos run` printed
            token = await sign_in(client, url, first.lines)
            products = await _query(
                client,
                url,
                "{ products(first: 3) { totalCount nodes { sku name onHand } } }",
                token=token,
            )
            assert products["products"]["totalCount"] == 50
            assert all(p["sku"] and p["name"] for p in products["products"]["nodes"])
            assert all(isinstance(p["onHand"], int) for p in products["products"]["nodes"])
            # The demo shop: 50 products, 20 orders (the last ones reach the read model
            # shortly after the seed returns).
            seeded = await eventually(
                lambda: _query(client, url, COUNTS, token=token), lambda d: d == SEEDED
            )
            assert seeded == SEEDED
        assert await first.interrupt() == 0, "".join(first.lines)
    finally:
        await first.kill()

    second = PosRun(tmp_path / "embedded", port)
    try:
        url = await second.start()
        assert "Demo data: demo data is already complete; nothing was written\n" in second.lines
        async with httpx.AsyncClient(timeout=30) as client:
            # the signing keys survived the restart: the first run's token still works
            assert await _query(client, url, COUNTS, token=token) == SEEDED
        assert await second.interrupt() == 0, "".join(second.lines)
    finally:
        await second.kill()

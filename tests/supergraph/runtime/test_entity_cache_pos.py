"""The entity cache in the whole POS as `pos run` serves it (`build_embedded_app`: SQLite,
the in-process bus, the catalog's `@cacheable` Product and lookups): a price changed
behind the gateway's back (straight at the catalog subgraph, as another gateway instance
would) is visible through the gateway right after the catalog's event."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from pos.commands.run import build_embedded_app, embedded_subgraph_urls
from subgraphs.staff import STAFF
from supergraph.runtime.fetching.subgraph_identity import IdentitySigner
from tests.staff_tokens import bearer

PRICE = "query($sku: String!) { productBySku(sku: $sku) { id unitPrice { amount } } }"
CHANGE = """mutation($input: ChangeProductPriceInput!) {
  changeProductPrice(input: $input) { id } }"""


async def _gql(client: httpx.AsyncClient, url: str, query: str, variables: Any, **kw: Any) -> Any:
    response = await client.post(url, json={"query": query, "variables": variables}, **kw)
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


async def _until(check: Any, timeout: float = 5.0) -> float:
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not await check():
        assert loop.time() - start < timeout, "not visible in time"
        await asyncio.sleep(0.02)
    return loop.time() - start


async def test_a_price_changed_behind_the_gateway_is_visible_right_after_the_event(
    tmp_path: Path,
) -> None:
    signer = IdentitySigner.generate()
    app = build_embedded_app(tmp_path / "pos", seed=False, subgraph_identity=signer)
    gateway = app.state.gateway
    cache = gateway.executor.entity_cache
    assert cache is not None, "the catalog declares @cacheable: the cache is on"
    catalog = embedded_subgraph_urls(["catalog"])["catalog"]
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://pos.test", timeout=30
        ) as client,
    ):
        admin = bearer(STAFF.identity)
        identity = await gateway.authenticator.authenticate(admin)
        url = "/graphql"
        category = await _gql(
            client,
            url,
            "mutation($c: CreateCategoryInput!) { createCategory(input: $c) { id } }",
            {"c": {"name": "Lamps"}},
            headers=admin,
        )
        product = {
            "sku": "LAMP-1",
            "name": "Desk lamp",
            "categoryId": category["createCategory"]["id"],
            "unitPrice": {"amount": "30.00", "currency": "EUR"},
        }
        added = await _gql(
            client,
            url,
            "mutation($p: AddProductInput!) { addProduct(input: $p) { id } }",
            {"p": product},
            headers=admin,
        )
        product_id = added["addProduct"]["id"]

        async def price() -> str | None:
            data = await _gql(client, url, PRICE, {"sku": "LAMP-1"}, headers=admin)
            found = data["productBySku"]
            return None if found is None else str(found["unitPrice"]["amount"])

        async def shows(amount: str) -> bool:
            return await price() == amount

        await _until(lambda: shows("30.00"), timeout=10)  # projected, then settled
        await asyncio.sleep(cache.settle)
        hits = cache.stats.hits
        assert await price() == "30.00" and await price() == "30.00"
        assert cache.stats.hits >= hits + 1, cache.stats  # served from the cache

        # another writer: straight at the catalog, with a gateway identity token
        changed = await _gql(
            client,
            catalog,
            CHANGE,
            {"input": {"id": product_id, "unitPrice": {"amount": "32.50", "currency": "EUR"}}},
            headers=signer.headers(identity.claims),
        )
        assert changed["changeProductPrice"]["id"] == product_id
        took = await _until(lambda: shows("32.50"))
        assert took < 2.0
        for _ in range(5):  # never the old price again
            assert await price() == "32.50"

"""In-process mode: gateway and subgraphs in one process, no sockets (httpx ASGI transports)."""

from __future__ import annotations

import httpx
from fixture_graphs import BUILDERS, supergraph_sdl

from supergraph.runtime import create_app


async def test_gateway_over_in_process_subgraphs() -> None:
    subgraphs = BUILDERS["shop"]()
    urls = {name: f"http://{name}.embedded/graphql" for name in subgraphs}
    transports = {urls[name]: httpx.ASGITransport(app=s.app) for name, s in subgraphs.items()}
    app = create_app(supergraph_sdl("shop"), subgraph_urls=urls, transports=transports)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        response = await client.post(
            "/graphql", json={"query": '{ product(upc: "1") { name inStock topReview { body } } }'}
        )
    assert response.json() == {
        "data": {"product": {"name": "Table", "inStock": True, "topReview": {"body": "Love it!"}}}
    }
    assert len(subgraphs["inventory"].received) == 1

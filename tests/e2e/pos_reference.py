"""The POS subgraphs on one loopback port, with Apollo's gateway and ours over them.

`pos_gateways` serves `build_embedded_app` (all five subgraphs at
`/subgraphs/<name>/graphql`, seeded in its lifespan) with uvicorn, waits until the
projections have caught up with the seed, then starts @apollo/gateway
(tools/apollo/gateway.mjs) and our gateway over the committed supergraph with every
subgraph URL pointed at that port. The response normalisation is the one of
tests/supergraph/runtime/test_gateway_differential.py, imported, not restated.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import uvicorn

from pos.commands.run import SUPERGRAPH, build_embedded_app, staff_authenticator
from subgraphs import CONTEXTS
from subgraphs.hosting.host import subgraph_path
from subgraphs.staff import STAFF
from supergraph.runtime import create_app
from supergraph.runtime.fetching.subgraph_identity import (
    HEADER,
    IdentitySigner,
    generate_private_jwk,
)
from tests.gateway_identity import TEST_CLAIMS
from tests.staff_tokens import bearer

_SUPERGRAPH_TESTS = Path(__file__).parents[1] / "supergraph"
for _folder in ("fixtures", "runtime"):
    if str(_SUPERGRAPH_TESTS / _folder) not in sys.path:
        sys.path.insert(0, str(_SUPERGRAPH_TESTS / _folder))

from reference_gateway import apollo_gateway  # noqa: E402
from test_gateway_differential import normalise  # noqa: E402

__all__ = ["PosGateways", "normalise", "pos_gateways"]

SETTLED = """{ products { totalCount } orders { totalCount } customers { totalCount }
  topCustomers(limit: 50) { paidOrderCount lifetimeValue { amount } }
  topProducts(limit: 50) { unitsSold } stockValuation { totals { amount } }
  lowStock(threshold: 1000000) { totalCount } }"""
"""What the projections of the seed add up to: polled until it stops changing."""


@dataclass
class PosGateways:
    """Where the two gateways listen, over the same running subgraphs."""

    client: httpx.AsyncClient
    ours: str
    apollo: str
    subgraph_urls: dict[str, str]
    ours_headers: dict[str, str]
    """An admin's bearer token: ours enforces the supergraph's access rules, Apollo's is
    served the supergraph without them, so both answer everything."""

    async def both(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """(Apollo's response, ours) as JSON, Apollo's asked first."""
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        content = orjson.dumps(body)
        headers = {"content-type": "application/json"}
        theirs = await self.client.post(self.apollo, content=content, headers=headers)
        mine = await self.client.post(
            self.ours, content=content, headers=headers | self.ours_headers
        )
        return theirs.json(), mine.json()

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Our gateway's `data`, failing on any error (for reading seeded ids)."""
        _, mine = await self.both(query, variables)
        assert not mine.get("errors"), mine
        result: dict[str, Any] = mine["data"]
        return result


@contextlib.asynccontextmanager
async def _serve(app: Any) -> AsyncIterator[int]:
    """Serve `app` (with its lifespan) on a free loopback port; yields the port."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.02)
        port: int = server.servers[0].sockets[0].getsockname()[1]
        yield port
    finally:
        server.should_exit = True
        await task


async def _settle(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], timeout: float = 30.0
) -> None:
    """Wait until the read models stop changing (the relay and projections run as tasks
    after the seed's commands returned), so both gateways see the same data."""
    previous: Any = None
    async with asyncio.timeout(timeout):
        while True:
            body = (await client.post(url, json={"query": SETTLED}, headers=headers)).json()
            assert not body.get("errors"), body
            if body == previous and body["data"]["products"]["totalCount"] > 0:
                return
            previous = body
            await asyncio.sleep(0.5)


@contextlib.asynccontextmanager
async def pos_gateways(data_dir: Path) -> AsyncIterator[PosGateways]:
    """Seeded POS subgraphs on one port; Apollo's gateway and ours over them."""
    key = generate_private_jwk()
    host = build_embedded_app(data_dir, seed=True, subgraph_identity=IdentitySigner(key))
    # Apollo's gateway cannot sign; it sends one long-lived token of the same key.
    reference_token = IdentitySigner(key, lifetime=7200, reuse=3600).token(TEST_CLAIMS)
    # @apollo/gateway refuses a supergraph whose SECURITY features it cannot enforce: it
    # gets one without them. This compares planning and execution of what an anonymous
    # caller may read; authorization has its own tests.
    unsecured = data_dir / "supergraph-unsecured.graphql"
    unsecured.write_text(SUPERGRAPH.read_text().replace(", for: SECURITY)", ")"))
    async with (
        _serve(host) as port,
        httpx.AsyncClient(timeout=30) as client,
    ):
        urls = {name: f"http://127.0.0.1:{port}{subgraph_path(name)}" for name in CONTEXTS}
        async with (
            _serve(
                create_app(
                    SUPERGRAPH.read_text(),
                    subgraph_urls=urls,
                    subgraph_identity=IdentitySigner(key),
                    authenticator=staff_authenticator(STAFF.identity),
                    profile="development",  # introspection and errors as the reference's
                )
            ) as ours_port,
            apollo_gateway(unsecured, urls, headers={HEADER: reference_token}) as apollo,
        ):
            ours = f"http://127.0.0.1:{ours_port}/graphql"
            admin = bearer(STAFF.identity)
            await _settle(client, ours, admin)
            yield PosGateways(client, ours, apollo, urls, admin)

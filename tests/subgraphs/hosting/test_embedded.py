"""The embedded mode for real: SQLite file, in-process bus, relay task, and the embedded
MongoDB-wire store process, started by `build_services` and a subgraph app's lifespan;
and `serve` as its own process."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from subgraphs.catalog import CATALOG
from subgraphs.hosting.services import build_services
from tests.gateway_identity import (
    TEST_SIGNER,
    TEST_VERIFIER,
    GatewayIdentityAuth,
    identity_client,
)
from tests.subgraphs.catalog.queries import ADD_PRODUCT, CREATE_CATEGORY, unique_sku


async def test_build_services_embedded_runs_a_subgraph_end_to_end(tmp_path: Path) -> None:
    services = build_services("embedded", context="catalog", data_dir=tmp_path)
    services.gateway_identity = TEST_VERIFIER
    assert services.relay is not None
    app = CATALOG.build_app(services)
    async with (
        app.router.lifespan_context(app),  # type: ignore[attr-defined]
        identity_client(app) as client,
    ):
        ready = await client.get("/ready")
        assert ready.status_code == 200, ready.text
        category = (
            await client.post(
                "/graphql", json={"query": CREATE_CATEGORY, "variables": {"name": "Tea"}}
            )
        ).json()["data"]["createCategory"]
        sku = unique_sku()
        variables = {
            "sku": sku,
            "name": "Green tea",
            "cat": category["id"],
            "amount": "4.20",
            "cur": "EUR",
        }
        added = (
            await client.post("/graphql", json={"query": ADD_PRODUCT, "variables": variables})
        ).json()
        assert added["data"]["addProduct"]["sku"] == sku
        # Read-your-writes: the next query sees it without waiting.
        found = (
            await client.post(
                "/graphql",
                json={
                    "query": "query($s: String!) { productBySku(sku: $s) { name } }",
                    "variables": {"s": sku},
                },
            )
        ).json()
        assert found == {"data": {"productBySku": {"name": "Green tea"}}}
    assert (tmp_path / "events.db").exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_serve_runs_a_context_as_its_own_process(tmp_path: Path) -> None:
    port = free_port()
    code = (
        "from subgraphs.hosting.serve import serve; "
        f"serve('catalog', '127.0.0.1', {port}, 'embedded', data_dir={str(tmp_path)!r}, "
        "log_level='warning')"
    )
    jwks = tmp_path / "gateway.jwks.json"
    TEST_SIGNER.write_jwks(jwks)
    env = {**os.environ, "POS_GATEWAY_IDENTITY_JWKS": str(jwks)}
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", auth=GatewayIdentityAuth()
        ) as client:
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    status = (await client.get("/ready")).status_code
                except httpx.TransportError:
                    status = None
                if status == 200:
                    break
                await asyncio.sleep(0.2)
            if status != 200:
                output = proc.stderr.read() if proc.stderr and proc.poll() is not None else ""
                raise AssertionError(f"serve did not become ready: {output or 'no answer'}")
            sdl = (await client.post("/graphql", json={"query": "{ _service { sdl } }"})).json()
            assert sdl["data"]["_service"]["sdl"].rstrip("\n") == CATALOG.sdl().rstrip("\n")
    finally:
        proc.terminate()
        proc.wait(30)
        if proc.stderr:
            proc.stderr.close()


async def test_one_host_runs_catalog_and_inventory_together(tmp_path: Path) -> None:
    from subgraphs.hosting.host import create_host_app, subgraph_path
    from subgraphs.inventory import INVENTORY

    services = build_services("embedded", data_dir=tmp_path)
    services.gateway_identity = TEST_VERIFIER
    app = create_host_app(services, [CATALOG, INVENTORY])
    async with (
        app.router.lifespan_context(app),
        identity_client(app, base_url="http://host") as client,
    ):

        async def gql(context: str, query: str, variables: dict[str, object]) -> dict[str, Any]:
            response = await client.post(
                subgraph_path(context), json={"query": query, "variables": variables}
            )
            body: dict[str, Any] = response.json()
            assert not body.get("errors"), body
            return body["data"]

        assert (await client.get("/subgraphs/inventory/ready")).status_code == 200
        category = (await gql("catalog", CREATE_CATEGORY, {"name": "Jam"}))["createCategory"]
        variables = {
            "sku": unique_sku(),
            "name": "Apricot jam",
            "cat": category["id"],
            "amount": "3.00",
            "cur": "EUR",
        }
        product = (await gql("catalog", ADD_PRODUCT, variables))["addProduct"]
        receive = """mutation($id: ID!) {
          receiveStock(input: {productId: $id, quantity: 2, receipt: "DN-1"}) { onHand } }"""
        deadline = time.monotonic() + 10
        while True:  # inventory learns the product from the catalog's events
            response = await client.post(
                subgraph_path("inventory"),
                json={"query": receive, "variables": {"id": product["id"]}},
            )
            body = response.json()
            if not body.get("errors") or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        assert body == {"data": {"receiveStock": {"onHand": 2}}}

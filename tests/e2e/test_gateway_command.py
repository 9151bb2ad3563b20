"""`pos gateway`: where it sends each subgraph's requests, and how it refuses bad input."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from pos.cli import app
from pos.commands.gateway import subgraph_urls
from tests.e2e.scenario import assert_order_confirmed_and_joined
from tests.e2e.stacks import Stack, services_stack
from tests.e2e.test_pos_run import _free_port
from tests.gateway_identity import TEST_KEY

ROOT = Path(__file__).resolve().parents[2]


def test_overrides_come_from_the_env_and_the_option_wins() -> None:
    env = {"POS_SUBGRAPH_URLS": "catalog=http://c:1/graphql, ordering=http://o:1/graphql,"}
    assert subgraph_urls(["ordering=http://o:2/graphql"], env) == {
        "catalog": "http://c:1/graphql",
        "ordering": "http://o:2/graphql",
    }
    assert subgraph_urls([], {}) == {}


def test_a_malformed_override_is_refused_with_its_source() -> None:
    with pytest.raises(typer.BadParameter, match="POS_SUBGRAPH_URLS: expected name=url"):
        subgraph_urls([], {"POS_SUBGRAPH_URLS": "catalog"})


def test_an_override_for_an_unknown_subgraph_stops_the_gateway() -> None:
    result = CliRunner().invoke(
        app,
        [
            "gateway",
            "--supergraph",
            str(ROOT / "schema" / "supergraph.graphql"),
            "--subgraph-url",
            "payments=http://127.0.0.1:1/graphql",
        ],
    )
    assert result.exit_code == 2
    assert "payments" in result.output


def test_a_missing_supergraph_file_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["gateway", "--supergraph", str(tmp_path / "nope.graphql")])
    assert result.exit_code == 2
    assert "nope.graphql" in result.output


@pytest.fixture(scope="module")
async def services(h6_pg_url: str) -> AsyncIterator[Stack]:
    async with services_stack(h6_pg_url) as running:
        yield running


async def test_pos_gateway_serves_the_graph_of_running_subgraphs(
    services: Stack, tmp_path: Path
) -> None:
    """The real command, pointed at the subgraphs by POS_SUBGRAPH_URLS, signing its
    subgraph calls with the key (POS_GATEWAY_IDENTITY_KEY) whose public half they trust."""
    assert services.subgraph_urls is not None
    port = _free_port()
    key = tmp_path / "gateway-identity.jwk"
    key.write_text(json.dumps(TEST_KEY))
    key.chmod(0o600)
    env = {
        **os.environ,
        "POS_SUBGRAPH_URLS": ",".join(f"{n}={u}" for n, u in services.subgraph_urls.items()),
        "POS_GATEWAY_IDENTITY_KEY": str(key),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pos.cli", "gateway", "--port", str(port), "--log-level", "warning",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            async with asyncio.timeout(60):
                while True:
                    assert process.returncode is None, "pos gateway exited"
                    try:
                        if (await client.get("/health")).is_success:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)
            await assert_order_confirmed_and_joined(client)
    finally:
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            await process.wait()

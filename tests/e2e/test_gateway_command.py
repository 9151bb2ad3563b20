"""`pos gateway`: where it sends each subgraph's requests, and how it refuses bad input."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest
import typer
from cryptography.hazmat.primitives.asymmetric import rsa
from typer.testing import CliRunner

from pos.cli import app
from pos.commands.gateway import subgraph_urls
from pos.commands.gateway_settings import issuers as make_issuers
from pos.commands.gateway_settings import staff_issuer
from pos.commands.run import SUPERGRAPH
from subgraphs.staff import STAFF
from supergraph.runtime.plugins.authentication import AuthenticationError, JwtAuthenticator
from tests.e2e.pos_process import free_port as _free_port
from tests.e2e.scenario import assert_order_confirmed_and_joined
from tests.e2e.stacks import Stack, services_stack
from tests.gateway_identity import TEST_KEY
from tests.staff_tokens import bearer

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
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            timeout=30,
            # verified against the staff service's /.well-known/jwks.json, found by default
            headers=bearer(STAFF.identity),
        ) as client:
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


def _oidc_provider(tmp_path: Path) -> tuple[rsa.RSAPrivateKey, Path]:
    """An RSA key and the JWKS file of an outside OpenID Connect provider."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    path = tmp_path / "idp-jwks.json"
    path.write_text(json.dumps({"keys": [{**public, "kid": "idp-1", "alg": "RS256"}]}))
    return key, path


async def test_an_oidc_provider_given_by_options_has_its_roles_mapped_to_our_scopes(
    tmp_path: Path,
) -> None:
    key, path = _oidc_provider(tmp_path)
    issuers = make_issuers(
        str(path),
        "https://idp.example/realms/shop",
        "pos",
        "realm_access.roles",
        ["pos-cashier=sales:write,orders:read", "pos-auditor=reports:read"],
    )
    authenticator = JwtAuthenticator(issuers=issuers)
    now = int(time.time())
    claims = {
        "iss": "https://idp.example/realms/shop",
        "aud": "pos",
        "sub": "kc-42",
        "iat": now,
        "exp": now + 300,
        "scope": "staff:manage",  # the provider's own scopes grant nothing of ours
        "realm_access": {"roles": ["pos-cashier", "offline_access"]},
    }
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "idp-1"})
    identity = await authenticator.authenticate({"authorization": f"Bearer {token}"})
    assert identity.claims is not None
    assert sorted(identity.claims["scope"].split()) == ["orders:read", "sales:write"]
    assert identity.claims["roles"] == ["pos-cashier"]
    forged = jwt.encode({**claims, "iss": "urn:pos:staff"}, key, "RS256", {"kid": "idp-1"})
    with pytest.raises(AuthenticationError):  # not the staff issuer's key
        await authenticator.authenticate({"authorization": f"Bearer {forged}"})


def test_oidc_options_are_checked_when_the_gateway_starts(tmp_path: Path) -> None:
    _, path = _oidc_provider(tmp_path)
    with pytest.raises(typer.BadParameter, match="need --jwks"):
        make_issuers(None, "https://idp.example", None, None, [])
    with pytest.raises(typer.BadParameter, match="ROLE=scope"):
        make_issuers(str(path), None, None, "groups", ["no-equals-sign"])
    with pytest.raises(typer.BadParameter, match="needs --jwt-roles-claim"):
        make_issuers(str(path), None, None, None, ["pos-cashier=sales:write"])
    with pytest.raises(typer.Exit):  # a JWKS that cannot be read stops the gateway
        make_issuers(str(tmp_path / "missing.json"), None, None, None, [])


def test_the_staff_subgraph_of_a_supergraph_is_a_trusted_issuer_by_default() -> None:
    sdl = SUPERGRAPH.read_text()
    [staff] = staff_issuer(sdl, {"staff": "http://10.0.0.7:4006/graphql"})
    assert staff.jwks.location == "http://10.0.0.7:4006/.well-known/jwks.json"
    assert (staff.issuer, staff.audience) == ("urn:pos:staff", "pos")
    without_staff = sdl.replace('STAFF @join__graph(name: "staff"', 'STAFX @join__graph(name: "x"')
    assert staff_issuer(without_staff, {}) == []

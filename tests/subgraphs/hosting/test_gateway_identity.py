"""Subgraphs accept only calls the gateway signed (`subgraphs.hosting.identity`)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from subgraphs.catalog import CATALOG
from subgraphs.customers import context as customers
from subgraphs.hosting.app import create_subgraph_app
from subgraphs.hosting.identity import IdentityVerifier
from supergraph.runtime.fetching.subgraph_identity import (
    AUDIENCE,
    HEADER,
    ISSUER,
    IdentitySigner,
    jwks_path_for,
)
from tests.gateway_identity import TEST_CLAIMS, TEST_SIGNER, identity_headers
from tests.subgraphs.catalog.queries import CREATE_CATEGORY
from tests.subgraphs.hosting.harness import Harness, running

REGISTER = "mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { id } }"


@pytest.fixture(scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running(
        [CATALOG, customers], backend="sqlite", tmp_path=tmp_path_factory.mktemp("identity")
    ) as harness:
        yield harness


def _forged(**overrides: Any) -> str:
    """A token like the gateway's, changed by `overrides` (None removes a claim)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "x",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 60,
    }
    key = overrides.pop("key", None)
    for name, value in overrides.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    signer = key or TEST_SIGNER
    return jwt.encode(claims, signer._key, algorithm="EdDSA", headers={"kid": signer.kid})


BAD_TOKENS = {
    "missing": None,
    "garbage": "not-a-jwt",
    "other key": IdentitySigner.generate().token(TEST_CLAIMS),
    "expired": _forged(iat=int(time.time()) - 600, exp=int(time.time()) - 300),
    "wrong audience": _forged(aud="urn:someone:else"),
    "wrong issuer": _forged(iss="https://attacker.example"),
    "no exp": _forged(exp=None),
}


@pytest.mark.parametrize("why", sorted(BAD_TOKENS))
async def test_calls_without_a_valid_gateway_identity_are_refused(h: Harness, why: str) -> None:
    token = BAD_TOKENS[why]
    before = len(await h.store.read_all(0, 100_000))
    headers = {HEADER: token} if token else {}
    documents = [
        (CREATE_CATEGORY, {"name": "Never"}),
        ("{ _service { sdl } }", {}),
        ('{ _entities(representations: [{__typename: "Product", id: "x"}]) { __typename } }', {}),
    ]
    for context in ("catalog", "customers"):
        for query, variables in documents:
            response = await httpx.AsyncClient(
                transport=h.clients[context]._transport, base_url="http://subgraph"
            ).post("/graphql", json={"query": query, "variables": variables}, headers=headers)
            assert response.status_code == 401, (why, context, response.text)
            body = response.json()
            assert "data" not in body
            assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert len(await h.store.read_all(0, 100_000)) == before  # nothing written


async def test_health_and_ready_stay_open(h: Harness) -> None:
    bare = httpx.AsyncClient(transport=h.clients["catalog"]._transport, base_url="http://s")
    assert (await bare.get("/health")).status_code == 200
    assert (await bare.get("/ready")).status_code == 200


async def test_the_verified_identity_reaches_resolvers_and_stamps_events(h: Harness) -> None:
    data = await h.data("catalog", CREATE_CATEGORY, {"name": "Stamped"})
    category = data["createCategory"]["id"]
    [event] = await h.store.read_stream(category)
    assert event.actor == {
        "staffId": "test-admin",
        "name": "Test Admin",
        "roles": ["ADMIN"],
        "session": "test-session",
    }
    anonymous = httpx.AsyncClient(transport=h.clients["catalog"]._transport, base_url="http://s")
    body = (
        await anonymous.post(
            "/graphql",
            json={"query": CREATE_CATEGORY, "variables": {"name": "Nobody's"}},
            headers=identity_headers(None),
        )
    ).json()
    # an anonymous caller may not write: the subgraph enforces its own scopes again
    assert not (body.get("data") or {}).get("createCategory"), body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", body


def test_the_identity_is_in_the_strawberry_and_ariadne_contexts() -> None:
    """`info.context["identity"]`: the client's claims, None when anonymous."""
    import strawberry
    from ariadne import QueryType, make_executable_schema
    from ariadne.asgi import GraphQL

    from subgraphs.hosting.identity import GatewayIdentityGuard, identity_of
    from subgraphs.hosting.schema import SubgraphSchema, graphql_app

    @strawberry.type
    class Query:
        @strawberry.field
        def who(self, info: strawberry.Info) -> str:
            return json.dumps(info.context["identity"], sort_keys=True)

    verifier = IdentityVerifier.from_jwks(TEST_SIGNER.public_jwks())
    strawberry_app = graphql_app(SubgraphSchema(Query), object(), identity=verifier)
    query = QueryType()
    query.set_field("who", lambda _, info: json.dumps(info.context["identity"], sort_keys=True))
    ariadne_app = GatewayIdentityGuard(
        GraphQL(
            make_executable_schema("type Query { who: String! }", query),
            context_value=lambda request, _data: {"identity": identity_of(request)},
        ),
        verifier,
    )
    for app in (strawberry_app, ariadne_app):
        client = TestClient(app)
        for claims in (TEST_CLAIMS, None):
            response = client.post("/", json={"query": "{ who }"}, headers=identity_headers(claims))
            who = json.loads(response.json()["data"]["who"])
            if claims is None:
                assert who is None
            else:
                assert who["sub"] == "test-admin" and who["scope"] == TEST_CLAIMS["scope"]
                assert who["client_iss"] == "urn:pos:tests" and "aud" not in who


def test_websockets_without_a_gateway_identity_are_refused(tmp_path: Path) -> None:
    from eventbus.sqlstore import SqlEventStore
    from eventbus.transports import InProcessTransport
    from subgraphs.hosting.services import ContextServices

    services = ContextServices(
        store=SqlEventStore(f"sqlite+aiosqlite:///{tmp_path / 'e.db'}"),
        transport=InProcessTransport(),
        mongo_url="mongodb://127.0.0.1:1",
        database="unused",
        gateway_identity=IdentityVerifier.from_jwks(TEST_SIGNER.public_jwks()),
    )
    app = create_subgraph_app("catalog", CATALOG.graphql_app(services), services)
    client = TestClient(app)
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        ws.receive_text()
    with client.websocket_connect(
        "/graphql", subprotocols=["graphql-transport-ws"], headers=identity_headers()
    ) as ws:
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"


async def test_no_jwks_refuses_every_call_and_says_where_it_looked(tmp_path: Path) -> None:
    location = tmp_path / "keys" / "gateway-identity.jwks.json"
    verifier = IdentityVerifier(str(location), retry_after=0.0)
    from subgraphs.catalog.graphql import schema
    from subgraphs.hosting.schema import graphql_app

    app = graphql_app(schema, object(), identity=verifier)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://s"
    ) as client:
        refused = await client.post(
            "/", json={"query": "{ _service { sdl } }"}, headers=identity_headers()
        )
        assert refused.status_code == 503
        assert str(location) in refused.json()["errors"][0]["message"]
        # the gateway starts and writes its JWKS: the next call gets in (read lazily)
        signer, created = IdentitySigner.load_or_create(tmp_path / "keys" / "gateway-identity.jwk")
        assert created and jwks_path_for(tmp_path / "keys" / "gateway-identity.jwk") == location
        assert (tmp_path / "keys" / "gateway-identity.jwk").stat().st_mode & 0o777 == 0o600
        ok = await client.post(
            "/",
            json={"query": "{ _service { sdl } }"},
            headers={HEADER: signer.token(TEST_CLAIMS)},
        )
        assert ok.status_code == 200, ok.text


async def test_customers_refuses_multipart_and_form_posts(h: Harness) -> None:
    client = h.clients["customers"]
    before = len(await h.store.read_all(0, 100_000))
    operations = json.dumps({"query": "{ _service { sdl } }"})
    multipart = await client.post(
        "/graphql", files={"operations": (None, operations), "map": (None, "{}")}
    )
    assert multipart.status_code == 400, multipart.text
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        response = await client.post(
            "/graphql", content=operations, headers={"content-type": content_type}
        )
        assert response.status_code == 400, (content_type, response.text)
    assert len(await h.store.read_all(0, 100_000)) == before


async def test_bad_input_is_logged_as_one_line(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    def register(email: str, country: str) -> dict[str, Any]:
        address = {"line1": "A 1", "city": "B", "postalCode": "1", "country": country}
        return {"input": {"name": "Bad", "email": email, "phone": "+49 30 1", "address": address}}

    caplog.set_level(logging.INFO)
    for context, query, variables in (
        ("customers", REGISTER, register("not-an-email", "DE")),
        ("customers", REGISTER, register("ok@shop.example", "XX")),
        ("catalog", CREATE_CATEGORY, {"name": ""}),
    ):
        response = await h.clients[context].post(
            "/graphql", json={"query": query, "variables": variables}
        )
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    mine = [r for r in caplog.records if not r.name.startswith(("httpx", "aiosqlite"))]
    lines = [r for r in mine if "client error BAD_USER_INPUT" in r.getMessage()]
    assert len(lines) == 3, [r.getMessage() for r in mine]
    for record in mine:
        assert record.levelno < logging.ERROR, record.getMessage()
        assert record.exc_info is None and "\n" not in record.getMessage()

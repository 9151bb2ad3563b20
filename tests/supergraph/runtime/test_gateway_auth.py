"""JWT authentication and the authorization directives, end to end: a supergraph composed by
Apollo from two tiny subgraphs using `@authenticated`, `@requiresScopes` and `@policy`, our
gateway over real sockets, tokens signed here with an RSA key generated for the test run and
served as a JWKS file (TEST KEYS ONLY: made fresh by every run, never stored)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import orjson
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from federated_subgraph import FederatedSubgraph, Server
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from typer.testing import CliRunner

from eventbus.transports.inprocess import InProcessTransport
from pos.cli import app as pos_app
from supergraph.runtime import create_app, load_supergraph
from supergraph.runtime.plugins.authentication import JwksSource, JwtAuthenticator
from supergraph.runtime.plugins.authorization import (
    AuthorizationMode,
    Authorizer,
    ClaimPolicies,
    ErrorReporting,
    SubscriptionGuard,
)
from supergraph.subscriptions.source import OperationErrors, OperationRequest

ROOT = Path(__file__).parents[3]
ISSUER = "https://issuer.test"
AUDIENCE = "pos-gateway"

USERS_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.6",
  import: ["@key", "@authenticated", "@requiresScopes", "@policy"])

type Query {
  me: User @authenticated
  users: [User!]! @requiresScopes(scopes: [["read:users"], ["admin"]])
  user(id: ID!): User
  feed: [Content!]!
  posts: [Post!]!
  secretNumber: Int @policy(policies: [["is_staff"]])
}

type Mutation {
  deleteUser(id: ID!): Boolean @requiresScopes(scopes: [["admin"]])
}

type Subscription {
  userChanged: User
}

type User @key(fields: "id") {
  id: ID!
  name: String
  email: String @requiresScopes(scopes: [["read:email"]])
  salary: Int! @policy(policies: [["hr"], ["is_staff", "finance"]])
}

interface Post {
  id: ID!
  title: String
}

type PublicPost implements Post {
  id: ID!
  title: String
}

type PrivatePost implements Post @authenticated {
  id: ID!
  title: String
  body: String
}

union Content = PublicPost | PrivatePost
"""

BILLING_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.6",
  import: ["@key", "@authenticated", "@requiresScopes"])

type User @key(fields: "id") {
  id: ID!
  balance: Int @requiresScopes(scopes: [["billing"]])
  invoices: [Invoice!]
}

type Invoice @authenticated {
  number: String!
  total: Int
}
"""

USERS = [
    {"__typename": "User", "id": "u1", "name": "Ada", "email": "ada@example.test", "salary": 10},
    {"__typename": "User", "id": "u2", "name": "Alan", "email": "alan@example.test", "salary": 20},
]
POSTS = [
    {"__typename": "PublicPost", "id": "p1", "title": "Hello"},
    {"__typename": "PrivatePost", "id": "p2", "title": "Diary", "body": "secret"},
]
UNAUTHORIZED = "UNAUTHORIZED_FIELD_OR_TYPE"


def denied(*path: str | int) -> dict[str, Any]:
    return {
        "message": "Unauthorized field or type",
        "path": list(path),
        "extensions": {"code": UNAUTHORIZED},
    }


@pytest.fixture(scope="module")
def supergraph(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Apollo's composition of the two subgraphs (the reference every runtime test uses)."""
    folder = tmp_path_factory.mktemp("auth-graph")
    (folder / "users.graphql").write_text(USERS_SDL)
    (folder / "billing.graphql").write_text(BILLING_SDL)
    done = subprocess.run(
        [
            "node",
            str(ROOT / "tools" / "apollo" / "compose.mjs"),
            f"users={folder / 'users.graphql'}",
            f"billing={folder / 'billing.graphql'}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@dataclass
class Keys:
    """Test-only signing keys: `trusted` is in the JWKS file, `stranger` is not."""

    trusted: rsa.RSAPrivateKey
    stranger: rsa.RSAPrivateKey
    jwks_path: Path

    def token(
        self,
        claims: dict[str, Any] | None = None,
        *,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = "test-1",
        **registered: Any,
    ) -> str:
        now = int(time.time())
        payload = {"sub": "u1", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 300}
        payload.update(registered)
        payload.update(claims or {})
        headers = {"kid": kid} if kid else {}
        return jwt.encode(payload, key or self.trusted, algorithm="RS256", headers=headers)


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    trusted = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("jwks") / "jwks.json"
    path.write_text(json.dumps({"keys": [_jwk(trusted, "test-1")]}))
    return Keys(trusted, stranger, path)


@dataclass
class AuthGraph:
    users: FederatedSubgraph
    billing: FederatedSubgraph
    url: str
    client: httpx.AsyncClient
    gateway: Any
    deleted: list[str] = field(default_factory=list)

    async def post(self, query: str, token: str | None = None, **body: Any) -> httpx.Response:
        headers = {"content-type": "application/json"}
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        headers.update(body.pop("headers", {}))
        return await self.client.post(
            self.url, content=orjson.dumps({"query": query, **body}), headers=headers
        )

    async def query(self, query: str, token: str | None = None, **body: Any) -> dict[str, Any]:
        response = await self.post(query, token, **body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def sent(self) -> list[str]:
        return [r["query"] for s in (self.users, self.billing) for r in s.received]

    def reset(self) -> None:
        self.users.received.clear()
        self.billing.received.clear()


def _subgraphs(deleted: list[str]) -> tuple[FederatedSubgraph, FederatedSubgraph]:
    def user(_obj: Any, _info: Any, id: str) -> dict[str, Any] | None:
        return next((u for u in USERS if u["id"] == id), None)

    def delete_user(_obj: Any, _info: Any, id: str) -> bool:
        deleted.append(id)
        return True

    users = FederatedSubgraph(
        "users",
        USERS_SDL,
        records={
            "Query": [
                {"me": USERS[0], "users": USERS, "feed": POSTS, "posts": POSTS, "secretNumber": 42}
            ],
            "User": USERS,
        },
        resolvers={"Query": {"user": user}, "Mutation": {"deleteUser": delete_user}},
    )
    billing = FederatedSubgraph(
        "billing",
        BILLING_SDL,
        records={
            "User": [
                {"id": "u1", "balance": 5, "invoices": [{"number": "I-1", "total": 12}]},
                {"id": "u2", "balance": 7, "invoices": []},
            ]
        },
    )
    return users, billing


@pytest.fixture
async def graph(supergraph: str, keys: Keys) -> AsyncIterator[AuthGraph]:
    async with _running(supergraph, keys) as running:
        yield running


@asynccontextmanager
async def _running(
    supergraph: str,
    keys: Keys,
    authorization_mode: AuthorizationMode = "filter",
    authorization_errors: ErrorReporting | None = None,
) -> AsyncIterator[AuthGraph]:
    deleted: list[str] = []
    users, billing = _subgraphs(deleted)
    servers = [Server(users.app), Server(billing.app)]
    await asyncio.gather(*(s.start() for s in servers))
    app = create_app(
        supergraph,
        subgraph_urls={"users": servers[0].url, "billing": servers[1].url},
        authenticator=JwtAuthenticator(str(keys.jwks_path), issuer=ISSUER, audience=AUDIENCE),
        policy_evaluator=ClaimPolicies.parse(["is_staff=staff", "finance=department=finance"]),
        authorization_mode=authorization_mode,
        authorization_errors=authorization_errors,
        profile="development",  # introspection is part of what these tests look at
    )
    gateway = Server(app, lifespan="on")
    await gateway.start()
    client = httpx.AsyncClient(timeout=30)
    try:
        yield AuthGraph(users, billing, gateway.url, client, app.state.gateway, deleted)
    finally:
        await client.aclose()
        await gateway.stop()
        await asyncio.gather(*(s.stop() for s in servers))


def _fields(query: str) -> set[str]:
    """Field names a subgraph query selects (arguments and strings left out)."""
    without_strings = re.sub(r'"[^"]*"', "", query)
    without_args = re.sub(r"\([^)]*\)", "", without_strings)
    return set(re.findall(r"[_A-Za-z][_0-9A-Za-z]*", without_args)) - {"query", "on"}


# ---- authentication ------------------------------------------------------------------------


async def test_verified_token_sees_everything_it_is_granted(graph: AuthGraph, keys: Keys) -> None:
    token = keys.token({"scope": "read:users read:email billing"})
    result = await graph.query(
        '{ me { name email } user(id: "u2") { name email balance invoices { number } } }', token
    )
    assert result == {
        "data": {
            "me": {"name": "Ada", "email": "ada@example.test"},
            "user": {"name": "Alan", "email": "alan@example.test", "balance": 7, "invoices": []},
        }
    }


def _bad_tokens(keys: Keys) -> Iterator[tuple[str, str]]:
    yield "expired", keys.token(exp=int(time.time()) - 60)
    yield "not yet valid", keys.token(nbf=int(time.time()) + 600)
    yield "signed by an unknown key", keys.token(key=keys.stranger)
    yield "unknown key id", keys.token(kid="nobody")
    yield "other issuer", keys.token(iss="https://evil.test")
    yield "other audience", keys.token(aud="someone-else")
    yield "no audience", keys.token(aud=None)
    yield "garbage", "not.a.jwt"
    yield (
        "alg none",
        jwt.encode({"sub": "u1", "iss": ISSUER, "aud": AUDIENCE}, "", algorithm="none"),
    )
    public_pem = keys.trusted.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # algorithm confusion: HMAC keyed with the (public) RSA key
    yield "HS256 with the public key", _hmac_token(public_pem)


def _hmac_token(secret: bytes) -> str:
    b64 = jwt.utils.base64url_encode
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "test-1"}).encode())
    body = b64(json.dumps({"sub": "u1", "iss": ISSUER, "aud": AUDIENCE}).encode())
    signature = b64(hmac.new(secret, head + b"." + body, hashlib.sha256).digest())
    return (head + b"." + body + b"." + signature).decode()


async def test_unverifiable_tokens_are_refused_with_401_and_nothing_is_forwarded(
    graph: AuthGraph, keys: Keys
) -> None:
    cases = list(_bad_tokens(keys))
    cases.append(("tampered claims", _tamper(keys.token({"scope": "read:users"}))))
    for reason, token in cases:
        response = await graph.post('{ user(id: "u1") { name } }', token)
        assert response.status_code == 401, reason
        body = response.json()
        assert "data" not in body, reason
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"], reason
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "token-without-scheme"):
        response = await graph.post(
            '{ user(id: "u1") { name } }', headers={"authorization": header}
        )
        assert response.status_code == 401, header
    assert graph.sent() == []


def _tamper(token: str) -> str:
    """Same signature, claims rewritten to ask for more scopes."""
    head, payload, signature = token.split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["scope"] = "admin read:users read:email"
    forged = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    return f"{head}.{forged}.{signature}"


async def test_no_token_is_anonymous_not_an_error(graph: AuthGraph) -> None:
    result = await graph.query('{ user(id: "u1") { name } }')
    assert result == {"data": {"user": {"name": "Ada"}}}


async def test_jwks_from_a_url_picks_up_rotated_keys(supergraph: str, keys: Keys) -> None:
    served = {"keys": [_jwk(keys.trusted, "test-1")]}

    async def jwks(_request: Any) -> JSONResponse:
        return JSONResponse(served)

    issuer = Server(Starlette(routes=[Route("/graphql", jwks)]))
    await issuer.start()
    users, billing = _subgraphs([])
    servers = [Server(users.app), Server(billing.app)]
    await asyncio.gather(*(s.start() for s in servers))
    authenticator = JwtAuthenticator(
        JwksSource(issuer.url, min_refresh=0.0), issuer=ISSUER, audience=AUDIENCE
    )
    app = create_app(
        supergraph,
        subgraph_urls={"users": servers[0].url, "billing": servers[1].url},
        authenticator=authenticator,
        profile="development",
    )
    gateway = Server(app, lifespan="on")
    await gateway.start()
    try:
        async with httpx.AsyncClient() as client:

            async def me(token: str) -> httpx.Response:
                return await client.post(
                    gateway.url,
                    json={"query": "{ me { name } }"},
                    headers={"authorization": f"Bearer {token}"},
                )

            assert (await me(keys.token())).json() == {"data": {"me": {"name": "Ada"}}}
            rotated = keys.token(key=keys.stranger, kid="test-2")
            assert (await me(rotated)).status_code == 401
            served["keys"].append(_jwk(keys.stranger, "test-2"))
            assert (await me(rotated)).json() == {"data": {"me": {"name": "Ada"}}}
    finally:
        await gateway.stop()
        await asyncio.gather(*(s.stop() for s in [*servers, issuer]))


# ---- authorization: filter mode ------------------------------------------------------------


async def test_anonymous_request_gets_nulls_and_errors_for_protected_fields(
    graph: AuthGraph,
) -> None:
    result = await graph.query('{ me { name } user(id: "u1") { id name email } }')
    assert result == {
        "data": {"me": None, "user": {"id": "u1", "name": "Ada", "email": None}},
        "errors": [denied("me"), denied("user", "email")],
    }
    assert list(result["data"]["user"]) == ["id", "name", "email"]
    (sent,) = graph.sent()
    assert _fields(sent) == {"user", "id", "name"}


async def test_scopes_are_one_of_the_and_lists(graph: AuthGraph, keys: Keys) -> None:
    query = "{ users { name email } }"
    anonymous = await graph.query(query)
    assert anonymous == {"data": None, "errors": [denied("users")]}  # [User!]! is non-null
    assert graph.sent() == []
    for scope in ("read:users", "admin"):
        result = await graph.query(query, keys.token({"scope": scope}))
        assert result == {
            "data": {"users": [{"name": "Ada", "email": None}, {"name": "Alan", "email": None}]},
            "errors": [denied("users", 0, "email"), denied("users", 1, "email")],
        }
    both = await graph.query(query, keys.token({"scope": "read:users read:email"}))
    assert "errors" not in both


async def test_removed_non_null_field_nulls_its_parent(graph: AuthGraph, keys: Keys) -> None:
    result = await graph.query('{ user(id: "u1") { name salary } }', keys.token())
    assert result == {"data": {"user": None}, "errors": [denied("user", "salary")]}


async def test_fields_returning_a_protected_type_and_other_subgraphs(graph: AuthGraph) -> None:
    result = await graph.query('{ user(id: "u1") { name balance invoices { number } } }')
    assert result == {
        "data": {"user": {"name": "Ada", "balance": None, "invoices": None}},
        "errors": [denied("user", "balance"), denied("user", "invoices")],
    }
    assert graph.billing.received == []  # nothing left to ask billing for


async def test_union_members_are_filtered_per_object(graph: AuthGraph, keys: Keys) -> None:
    query = "{ feed { __typename ... on PublicPost { title } ... on PrivatePost { title body } } }"
    result = await graph.query(query)
    assert result == {
        "data": {
            "feed": [
                {"__typename": "PublicPost", "title": "Hello"},
                {"__typename": "PrivatePost", "title": None, "body": None},
            ]
        },
        "errors": [denied("feed", 1, "title"), denied("feed", 1, "body")],
    }
    assert "body" not in _fields(graph.sent()[0])
    authenticated = await graph.query(query, keys.token())
    assert authenticated == {
        "data": {
            "feed": [
                {"__typename": "PublicPost", "title": "Hello"},
                {"__typename": "PrivatePost", "title": "Diary", "body": "secret"},
            ]
        }
    }


async def test_interface_with_a_protected_implementer(graph: AuthGraph, keys: Keys) -> None:
    # composition marks `Post` itself @authenticated, as `PrivatePost` is
    assert await graph.query("{ posts { id } }") == {"data": None, "errors": [denied("posts")]}
    assert await graph.query("{ posts { id } }", keys.token()) == {
        "data": {"posts": [{"id": "p1"}, {"id": "p2"}]}
    }


async def test_fields_of_an_interface_need_every_implementer(supergraph: str, keys: Keys) -> None:
    """Federation 2.9+ forbids the directives on interfaces: only `PrivatePost` carries
    `@authenticated`. Interface fields could read a PrivatePost, so they are refused;
    fragments on the public implementer are not."""
    marker = "interface Post\n  @join__type(graph: USERS)\n  @authenticated\n"
    assert marker in supergraph
    plain = supergraph.replace(marker, "interface Post\n  @join__type(graph: USERS)\n")
    async with _running(plain, keys) as graph:
        assert await graph.query("{ posts { id } }") == {"data": None, "errors": [denied("posts")]}
        result = await graph.query("{ posts { ... on PublicPost { id } ... on Post { title } } }")
        assert result == {
            "data": {"posts": [{"id": "p1", "title": None}, {"title": None}]},
            "errors": [denied("posts", 0, "title"), denied("posts", 1, "title")],
        }
        authenticated = await graph.query("{ posts { id } }", keys.token())
        assert authenticated == {"data": {"posts": [{"id": "p1"}, {"id": "p2"}]}}


async def test_named_fragments_and_skip_include(graph: AuthGraph) -> None:
    query = """
      query User($withEmail: Boolean!) {
        user(id: "u1") { ...Basics ...Contact @include(if: $withEmail) }
      }
      fragment Basics on User { id name }
      fragment Contact on User { email }
    """
    without = await graph.query(query, variables={"withEmail": False})
    assert without == {"data": {"user": {"id": "u1", "name": "Ada"}}}
    with_email = await graph.query(query, variables={"withEmail": True})
    assert with_email == {
        "data": {"user": {"id": "u1", "name": "Ada", "email": None}},
        "errors": [denied("user", "email")],
    }


async def test_whole_operation_removed_calls_no_subgraph(graph: AuthGraph) -> None:
    result = await graph.query("{ me { name } secretNumber }")
    assert result == {
        "data": {"me": None, "secretNumber": None},
        "errors": [denied("me"), denied("secretNumber")],
    }
    mutation = await graph.query('mutation { deleteUser(id: "u2") }')
    assert mutation == {"data": {"deleteUser": None}, "errors": [denied("deleteUser")]}
    assert graph.sent() == [] and graph.deleted == []


async def test_policies_map_to_verified_claims_unknown_ones_are_denied(
    graph: AuthGraph, keys: Keys
) -> None:
    query = '{ secretNumber user(id: "u1") { salary } }'
    plain = await graph.query(query, keys.token())
    assert plain == {
        "data": {"secretNumber": None, "user": None},
        # nothing left to select in `user`: the field itself is removed
        "errors": [denied("secretNumber"), denied("user")],
    }
    # is_staff alone: secretNumber; salary needs hr (not configured: denied) or is_staff+finance
    staff = await graph.query(query, keys.token({"staff": True}))
    assert staff == {
        "data": {"secretNumber": 42, "user": None},
        "errors": [denied("user")],
    }
    finance = await graph.query(query, keys.token({"staff": True, "department": "finance"}))
    assert finance == {"data": {"secretNumber": 42, "user": {"salary": 10}}}
    # a claim that is merely present (a string "true") does not grant `staff`
    spoof = await graph.query(query, keys.token({"staff": "true", "department": "finance"}))
    assert spoof["data"] == {"secretNumber": None, "user": None}


async def test_plan_cache_keys_on_the_authorization_outcome(graph: AuthGraph, keys: Keys) -> None:
    query = '{ user(id: "u1") { name email } }'
    reader = keys.token({"scope": "read:email"})
    first = await graph.query(query)
    full = await graph.query(query, reader)
    again = await graph.query(query)
    other_reader = await graph.query(
        query, keys.token({"scope": "read:email unrelated", "sub": "u9"})
    )
    assert (
        first
        == again
        == {"data": {"user": {"name": "Ada", "email": None}}, "errors": [denied("user", "email")]}
    )
    assert full == other_reader == {"data": {"user": {"name": "Ada", "email": "ada@example.test"}}}
    sent = graph.sent()
    assert ["email" in _fields(q) for q in sent] == [False, True, False, True]
    # two outcomes mentioned by this document, hence two plans
    assert len(graph.gateway.plan_cache) == 2


async def test_security_directives_are_not_in_the_api_schema(
    graph: AuthGraph, supergraph: str
) -> None:
    result = await graph.query(
        '{ __schema { directives { name } } __type(name: "Query") { fields { name } } }'
    )
    directives = {d["name"] for d in result["data"]["__schema"]["directives"]}
    assert directives.isdisjoint({"authenticated", "requiresScopes", "policy"})
    assert "me" in {f["name"] for f in result["data"]["__type"]["fields"]}
    api_sdl = load_supergraph(supergraph).api_sdl
    for name in ("@authenticated", "@requiresScopes", "@policy", "Scope", "Policy"):
        assert name not in api_sdl


def test_gateway_command_refuses_a_missing_jwks(tmp_path: Path, supergraph: str) -> None:
    sdl = tmp_path / "supergraph.graphql"
    sdl.write_text(supergraph)
    result = CliRunner().invoke(
        pos_app,
        [
            "gateway",
            "--supergraph",
            str(sdl),
            "--no-subscriptions",
            "--jwks",
            str(tmp_path / "none.json"),
        ],
    )
    assert result.exit_code == 2
    assert "JWKS" in result.output
    bad_policy = CliRunner().invoke(
        pos_app, ["gateway", "--supergraph", str(sdl), "--no-subscriptions", "--policy", "oops"]
    )
    assert bad_policy.exit_code == 2


async def test_subscriptions_are_authenticated_and_refused_when_they_select_protected_fields(
    supergraph: str, keys: Keys
) -> None:
    users, billing = _subgraphs([])
    servers = [Server(users.app), Server(billing.app)]
    await asyncio.gather(*(s.start() for s in servers))
    app = create_app(
        supergraph,
        subgraph_urls={"users": servers[0].url, "billing": servers[1].url},
        authenticator=JwtAuthenticator(str(keys.jwks_path), issuer=ISSUER, audience=AUDIENCE),
        event_transport=InProcessTransport(),
        profile="development",
    )
    gateway = Server(app, lifespan="on")
    await gateway.start()
    try:
        async with httpx.AsyncClient() as client:

            async def subscribe(query: str, token: str | None) -> httpx.Response:
                headers = {"accept": "text/event-stream"}
                if token is not None:
                    headers["authorization"] = f"Bearer {token}"
                return await client.post(gateway.url, json={"query": query}, headers=headers)

            refused = await subscribe("subscription { userChanged { name email } }", None)
            assert refused.status_code == 403
            assert refused.json() == {"errors": [denied("userChanged", "email")]}
            expired = await subscribe(
                "subscription { userChanged { name } }", keys.token(exp=int(time.time()) - 5)
            )
            assert expired.status_code == 401
            assert expired.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert users.received == []
    finally:
        await gateway.stop()
        await asyncio.gather(*(s.stop() for s in servers))
    # what the guard lets through reaches the subscription source unchanged
    opened: list[OperationRequest] = []

    class Source:
        async def open(self, request: OperationRequest) -> Any:
            opened.append(request)
            return None

    gw = app.state.gateway
    guard = SubscriptionGuard(Source(), gw.supergraph.api_schema, gw.authenticator, gw.authorizer)
    token = keys.token({"scope": "read:email"})
    allowed = OperationRequest(
        query="subscription { userChanged { name email } }",
        headers={"authorization": f"Bearer {token}"},
    )
    await guard.open(allowed)
    assert opened == [allowed]


# ---- authorization: reject and dry-run modes ---------------------------------------------


async def test_reject_mode_refuses_the_whole_operation_before_any_subgraph_call(
    supergraph: str, keys: Keys
) -> None:
    async with _running(supergraph, keys, "reject") as graph:
        query = '{ me { name } user(id: "u1") { id name email } }'
        result = await graph.query(query)
        # the same errors filter mode gives, and no data at all
        assert result == {"errors": [denied("me"), denied("user", "email")]}
        strict = await graph.post(query, headers={"accept": "application/graphql-response+json"})
        assert strict.status_code == 400
        assert strict.json() == result
        # list items: nothing ran, so the path says "@" where filter mode gives indices
        listed = await graph.query("{ users { name email } }", keys.token({"scope": "admin"}))
        assert listed == {"errors": [denied("users", "@", "email")]}
        mutation = await graph.query('mutation { deleteUser(id: "u2") }', keys.token())
        assert mutation == {"errors": [denied("deleteUser")]}
        assert graph.sent() == [] and graph.deleted == []
        # a request granted everything it selects runs as usual
        granted = await graph.query(query, keys.token({"scope": "read:email"}))
        assert granted == {
            "data": {
                "me": {"name": "Ada"},
                "user": {"id": "u1", "name": "Ada", "email": "ada@example.test"},
            }
        }
        assert len(graph.sent()) == 1


async def test_dry_run_executes_unfiltered_and_reports_what_filtering_would_remove(
    supergraph: str, keys: Keys
) -> None:
    async with _running(supergraph, keys, "dry_run") as graph:
        query = '{ me { name } user(id: "u1") { id name email salary } }'
        anonymous = await graph.query(query)
        assert anonymous == {
            "errors": [denied("me"), denied("user", "email"), denied("user", "salary")],
            "data": {
                "me": {"name": "Ada"},
                "user": {"id": "u1", "name": "Ada", "email": "ada@example.test", "salary": 10},
            },
        }
        (sent,) = graph.sent()
        assert {"me", "email", "salary"} <= _fields(sent)
        listed = await graph.query("{ users { name email } }", keys.token({"scope": "admin"}))
        assert listed["data"] == {
            "users": [
                {"name": "Ada", "email": "ada@example.test"},
                {"name": "Alan", "email": "alan@example.test"},
            ]
        }
        assert listed["errors"] == [denied("users", "@", "email")]
        finance = keys.token({"scope": "read:email", "staff": True, "department": "finance"})
        assert await graph.query(query, finance) == {
            "data": {
                "me": {"name": "Ada"},
                "user": {"id": "u1", "name": "Ada", "email": "ada@example.test", "salary": 10},
            }
        }
        # the client's document is what is planned: one plan whatever the outcome
        assert len(graph.gateway.plan_cache) == 2  # the two documents above
        mutation = await graph.query('mutation { deleteUser(id: "u2") }')
        assert mutation == {"errors": [denied("deleteUser")], "data": {"deleteUser": True}}
        assert graph.deleted == ["u2"]


async def test_reject_mode_keeps_one_plan_and_filter_stays_the_default(
    supergraph: str, keys: Keys
) -> None:
    """Reject mode plans no filtered variant: the client's document (prepared, i.e.
    validated and planned, before the verdict) is the only plan; filter stays the default."""
    query = '{ user(id: "u1") { name email } }'
    async with _running(supergraph, keys, "reject") as graph:
        await graph.query(query)
        assert len(graph.gateway.plan_cache) == 1
        await graph.query(query, keys.token({"scope": "read:email"}))
        assert len(graph.gateway.plan_cache) == 1
    async with _running(supergraph, keys) as graph:
        assert await graph.query(query) == {
            "data": {"user": {"name": "Ada", "email": None}},
            "errors": [denied("user", "email")],
        }


async def test_dry_run_lets_subscriptions_open(supergraph: str) -> None:
    opened: list[OperationRequest] = []

    class Source:
        async def open(self, request: OperationRequest) -> Any:
            opened.append(request)
            return None

    api = load_supergraph(supergraph).api_schema
    request = OperationRequest(query="subscription { userChanged { name email } }")
    dry = Authorizer.for_supergraph(supergraph, api, mode="dry_run")
    await SubscriptionGuard(Source(), api, None, dry).open(request)
    assert opened == [request]
    reject = Authorizer.for_supergraph(supergraph, api, mode="reject")
    with pytest.raises(OperationErrors) as refused:
        await SubscriptionGuard(Source(), api, None, reject).open(request)
    assert refused.value.errors == [denied("userChanged", "email")]
    assert opened == [request]


def test_gateway_command_authorization_mode(
    tmp_path: Path, supergraph: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sdl = tmp_path / "supergraph.graphql"
    sdl.write_text(supergraph)
    served: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **_: served.append(app))
    base = ["gateway", "--supergraph", str(sdl), "--no-subscriptions"]
    for option, mode in (([], "filter"), (["--authorization-mode", "dry-run"], "dry_run")):
        result = CliRunner().invoke(pos_app, [*base, *option])
        assert result.exit_code == 0, result.output
        assert served.pop().state.gateway.authorizer.mode == mode
    bad = CliRunner().invoke(pos_app, [*base, "--authorization-mode", "audit"])
    assert bad.exit_code == 2
    assert "audit" in bad.output and "authorization-mode" in bad.output


# ---- authorization: where the errors go, and the log (Router's `directives.errors`) ------

AUTHZ_LOG = "supergraph.runtime.plugins.authorization"
PARTIAL = '{ me { name } user(id: "u1") { id name email } }'
PARTIAL_DATA = {"me": None, "user": {"id": "u1", "name": "Ada", "email": None}}


def _logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == AUTHZ_LOG and r.levelno == logging.ERROR
    ]


async def test_errors_are_in_errors_and_logged_by_default(
    graph: AuthGraph, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger=AUTHZ_LOG)
    assert graph.gateway.authorizer.reporting == ErrorReporting("errors", log=True)
    result = await graph.query(PARTIAL)
    assert result == {"data": PARTIAL_DATA, "errors": [denied("me"), denied("user", "email")]}
    assert _logged(caplog) == ["Authorization error: unauthorized paths /me, /user/email"]
    caplog.clear()
    await graph.query('{ user(id: "u1") { name } }')
    assert _logged(caplog) == []  # nothing unauthorized, nothing logged


async def test_errors_in_extensions_leave_errors_to_the_rest(
    supergraph: str, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger=AUTHZ_LOG)
    async with _running(supergraph, keys, authorization_errors=ErrorReporting("extensions")) as g:
        result = await g.query(PARTIAL)
        assert result == {
            "data": PARTIAL_DATA,
            "extensions": {"authorizationErrors": [denied("me"), denied("user", "email")]},
        }
        assert len(_logged(caplog)) == 1
        # alongside the query plan the debug header asks for
        planned = await g.query(PARTIAL, headers={"apollo-query-plan-experimental": "1"})
        assert planned["extensions"]["authorizationErrors"] == [
            denied("me"),
            denied("user", "email"),
        ]
        assert "queryPlan" in planned["extensions"] and "errors" not in planned
        # nothing left to run: no subgraph called, the nulls in data, the errors in extensions
        g.reset()
        nothing = await g.query("{ me { name } secretNumber }")
        assert nothing == {
            "data": {"me": None, "secretNumber": None},
            "extensions": {"authorizationErrors": [denied("me"), denied("secretNumber")]},
        }
        assert g.sent() == []
        # other errors stay in `errors`
        invalid = await g.query("{ nope }")
        assert invalid["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_errors_disabled_and_no_log(
    supergraph: str, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger=AUTHZ_LOG)
    quiet = ErrorReporting("disabled", log=False)
    async with _running(supergraph, keys, authorization_errors=quiet) as graph:
        assert await graph.query(PARTIAL) == {"data": PARTIAL_DATA}
        (sent,) = graph.sent()
        assert "email" not in _fields(sent)  # still filtered: only the report is gone
    assert _logged(caplog) == []


async def test_reject_mode_with_errors_elsewhere_answers_null_data(
    supergraph: str, keys: Keys
) -> None:
    """Like Router: a refused operation whose errors are not in `errors` is `data: null`, a
    field-error response (200 whatever the media type), still with no subgraph called."""
    strict = {"accept": "application/graphql-response+json"}
    moved = ErrorReporting("extensions")
    async with _running(supergraph, keys, "reject", moved) as graph:
        response = await graph.post(PARTIAL, headers=strict)
        assert response.status_code == 200
        assert response.json() == {
            "data": None,
            "extensions": {"authorizationErrors": [denied("me"), denied("user", "email")]},
        }
        assert graph.sent() == []
    async with _running(supergraph, keys, "reject", ErrorReporting("disabled")) as graph:
        response = await graph.post(PARTIAL, headers=strict)
        assert (response.status_code, response.json()) == (200, {"data": None})
        assert graph.sent() == []


async def test_dry_run_with_errors_in_extensions(supergraph: str, keys: Keys) -> None:
    async with _running(supergraph, keys, "dry_run", ErrorReporting("extensions")) as graph:
        result = await graph.query('{ user(id: "u1") { name email } }')
        assert result == {
            "data": {"user": {"name": "Ada", "email": "ada@example.test"}},
            "extensions": {"authorizationErrors": [denied("user", "email")]},
        }


async def test_subscription_refusals_keep_their_errors_and_follow_the_log_flag(
    supergraph: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger=AUTHZ_LOG)

    class Source:
        async def open(self, request: OperationRequest) -> Any:
            return None

    api = load_supergraph(supergraph).api_schema
    request = OperationRequest(query="subscription { userChanged { name email } }")
    for log_paths, logged in (
        (True, ["Authorization error: unauthorized paths /userChanged/email"]),
        (False, []),
    ):
        caplog.clear()
        reporting = ErrorReporting("disabled", log=log_paths)
        authorizer = Authorizer.for_supergraph(supergraph, api, reporting=reporting)
        with pytest.raises(OperationErrors) as refused:
            await SubscriptionGuard(Source(), api, None, authorizer).open(request)
        assert refused.value.errors == [denied("userChanged", "email")]
        assert _logged(caplog) == logged


def test_gateway_command_authorization_errors(
    tmp_path: Path, supergraph: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sdl = tmp_path / "supergraph.graphql"
    sdl.write_text(supergraph)
    served: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **_: served.append(app))
    base = ["gateway", "--supergraph", str(sdl), "--no-subscriptions"]
    cases: tuple[tuple[list[str], ErrorReporting], ...] = (
        ([], ErrorReporting("errors", log=True)),
        (["--authorization-errors", "extensions"], ErrorReporting("extensions", log=True)),
        (
            ["--authorization-errors", "disabled", "--no-authorization-log"],
            ErrorReporting("disabled", log=False),
        ),
    )
    for options, reporting in cases:
        result = CliRunner().invoke(pos_app, [*base, *options])
        assert result.exit_code == 0, result.output
        assert served.pop().state.gateway.authorizer.reporting == reporting
    bad = CliRunner().invoke(pos_app, [*base, "--authorization-errors", "header"])
    assert bad.exit_code == 2
    assert "header" in bad.output and "authorization-errors" in bad.output


async def test_a_field_removed_inside_a_deferred_fragment_is_reported_in_its_payload(
    graph: AuthGraph,
) -> None:
    query = '{ user(id: "u1") { id ... @defer(label: "contact") { name email } } }'
    response = await graph.post(
        query, headers={"accept": "multipart/mixed;deferSpec=20220824, application/json"}
    )
    assert response.headers["content-type"].startswith("multipart/mixed")
    chunks = response.content.split(b"\r\n--graphql")[1:-1]
    first, second = (orjson.loads(c.partition(b"\r\n\r\n")[2]) for c in chunks)
    assert first == {"data": {"user": {"id": "u1"}}, "hasNext": True}  # nothing of it yet
    assert second == {
        "hasNext": False,
        "incremental": [
            {
                "data": {"name": "Ada", "email": None},
                "path": ["user"],
                "label": "contact",
                "errors": [denied("user", "email")],
            }
        ],
    }
    # a client without multipart gets it all at once, the error with it
    whole = await graph.query(query)
    assert whole == {
        "data": {"user": {"id": "u1", "name": "Ada", "email": None}},
        "errors": [denied("user", "email")],
    }

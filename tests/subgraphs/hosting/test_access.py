"""Each subgraph enforces its own SDL's @authenticated/@requiresScopes (reject mode)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import strawberry
from ariadne import QueryType
from ariadne.asgi import GraphQL
from ariadne.contrib.federation import FederatedObjectType, make_federated_schema
from strawberry import federation

from subgraphs.hosting.access import AccessRules
from subgraphs.hosting.identity import GatewayIdentityGuard, IdentityVerifier
from subgraphs.hosting.schema import SubgraphSchema, graphql_app
from tests.gateway_identity import TEST_SIGNER, identity_headers

VERIFIER = IdentityVerifier.from_jwks(TEST_SIGNER.public_jwks())
CASHIER = {"sub": "c-1", "scope": "orders:read sales:write"}
MANAGER = {"sub": "m-1", "scope": "orders:read reports:read catalog:write prices:write"}


@federation.type(keys=["id"])
class Product:
    id: strawberry.ID
    name: str
    cost: str = federation.field(requires_scopes=[["prices:write", "catalog:write"], ["admin"]])

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Product:
        return cls(id=id, name="Tea", cost="1.20")


@federation.type(authenticated=True)
class Report:
    total: str


@strawberry.type
class Query:
    @strawberry.field
    def product(self) -> Product:
        return Product(id=strawberry.ID("p1"), name="Tea", cost="1.20")

    @strawberry.field
    def report(self) -> Report:
        return Report(total="9")

    @federation.field(requires_scopes=[["orders:read"]])
    def orders(self) -> int:
        return 3


RAN: list[str] = []


@strawberry.type
class Mutation:
    @federation.mutation(requires_scopes=[["catalog:write"]])
    def rename(self, name: str) -> str:
        RAN.append(name)
        return name


SCHEMA = SubgraphSchema(Query, mutation=Mutation, types=[Product])


def strawberry_client() -> httpx.AsyncClient:
    app = graphql_app(SCHEMA, object(), identity=VERIFIER)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s")


ARIADNE_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.5",
                    import: ["@key", "@authenticated", "@requiresScopes"])
type Query {
  product: Product
  orders: Int @requiresScopes(scopes: [["orders:read"]])
  report: Report
}
type Report @authenticated { total: String }
type Product @key(fields: "id") {
  id: ID!
  name: String
  cost: String @requiresScopes(scopes: [["prices:write", "catalog:write"], ["admin"]])
}
"""


def ariadne_client() -> httpx.AsyncClient:
    query = QueryType()
    query.set_field("product", lambda *_: {"id": "p1", "name": "Tea", "cost": "1.20"})
    query.set_field("orders", lambda *_: 3)
    query.set_field("report", lambda *_: {"total": "9"})
    product = FederatedObjectType("Product")
    product.set_field("cost", lambda obj, *_: obj["cost"])
    product.reference_resolver(lambda _obj, _info, ref: {**ref, "name": "Tea", "cost": "1.2"})
    schema = make_federated_schema(ARIADNE_SDL, query, product)
    rules = AccessRules.from_sdl(ARIADNE_SDL)
    app = GatewayIdentityGuard(GraphQL(schema, validation_rules=[rules.rule()]), VERIFIER)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s")


def test_the_table_reads_or_of_ands_from_the_sdl() -> None:
    rules = AccessRules.from_sdl(ARIADNE_SDL)
    [cost] = rules.table[("Product", "cost")]
    assert cost.scopes == (frozenset({"prices:write", "catalog:write"}), frozenset({"admin"}))
    assert rules.table[("Report", None)][0].authenticated
    assert cost.holds({"sub": "a", "scope": "admin"})
    assert cost.holds({"sub": "a", "scope": "prices:write catalog:write"})
    assert not cost.holds({"sub": "a", "scope": "prices:write"})
    assert not cost.holds(None)
    strawberry_rules = SCHEMA.access_rules
    assert strawberry_rules.table[("Mutation", "rename")][0].scopes == (
        frozenset({"catalog:write"}),
    )


CASES: list[tuple[str, dict[str, Any] | None, str | None]] = [
    ("{ product { name } }", None, None),
    ("{ product { name cost } }", None, "UNAUTHENTICATED"),
    ("{ product { name cost } }", CASHIER, "FORBIDDEN"),
    ("{ product { name cost } }", MANAGER, None),
    ("{ orders }", None, "UNAUTHENTICATED"),
    ("{ orders }", CASHIER, None),
    ("{ report { total } }", None, "UNAUTHENTICATED"),  # the type's @authenticated
    ("{ report { total } }", CASHIER, None),
    ("query { ...F } fragment F on Query { product { ... on Product { cost } } }", CASHIER,
     "FORBIDDEN"),
    ('{ _entities(representations: [{__typename: "Product", id: "p1"}]) '
     "{ ... on Product { cost } } }", CASHIER, "FORBIDDEN"),
    ('{ _entities(representations: [{__typename: "Product", id: "p1"}]) '
     "{ ... on Product { name } } }", None, None),
    ("{ _service { sdl } }", None, None),
]  # fmt: skip


@pytest.mark.parametrize("framework", ["strawberry", "ariadne"])
@pytest.mark.parametrize(("query", "claims", "refused"), CASES)
async def test_reject_mode(
    framework: str, query: str, claims: dict[str, Any] | None, refused: str | None
) -> None:
    client = strawberry_client() if framework == "strawberry" else ariadne_client()
    async with client:
        response = await client.post(
            "/graphql", json={"query": query}, headers=identity_headers(claims)
        )
    body = response.json()
    if refused is None:
        assert not body.get("errors"), body
        return
    assert body.get("data") is None, body
    assert {e["extensions"]["code"] for e in body["errors"]} == {refused}, body


async def test_a_refused_mutation_runs_nothing() -> None:
    RAN.clear()
    async with strawberry_client() as client:
        for claims, refused in ((None, "UNAUTHENTICATED"), (CASHIER, "FORBIDDEN")):
            body = (
                await client.post(
                    "/graphql",
                    json={"query": 'mutation { rename(name: "x") }'},
                    headers=identity_headers(claims),
                )
            ).json()
            assert body["errors"][0]["extensions"]["code"] == refused
        assert RAN == []
        ok = await client.post(
            "/graphql",
            json={"query": 'mutation { rename(name: "y") }'},
            headers=identity_headers(MANAGER),
        )
        assert ok.json() == {"data": {"rename": "y"}}
    assert RAN == ["y"]


def test_our_subgraphs_build_their_tables() -> None:
    """Every context's SDL parses into a table (empty until the SDLs are annotated)."""
    from subgraphs import CONTEXTS

    for context in CONTEXTS.values():
        AccessRules.from_sdl(context.sdl())

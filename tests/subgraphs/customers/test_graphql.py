"""The customers subgraph (Ariadne) through its GraphQL endpoint."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from uuid import uuid4

from graphql import build_ast_schema, parse, print_schema

from subgraphs.customers import context as customers
from subgraphs.customers.application import CustomerHandlers
from subgraphs.customers.graphql.views import from_view, from_write_model
from subgraphs.customers.projections import CustomerView
from subgraphs.hosting.commands import READ_YOUR_WRITES_TIMEOUT
from tests.subgraphs.saga.stack import Stack

SCHEMA_FILE = Path(__file__).parents[3] / "schema" / "customers.graphql"

REGISTER = """
mutation($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) {
    id name email phone registeredAt updatedAt
    address { line1 line2 city postalCode country }
  }
}"""


def new_customer(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "Grace Hopper",
        "email": "grace@navy.example",
        "phone": "+1 202 555 0147",
        "address": {
            "line1": "1 Navy Way",
            "city": "Arlington",
            "postalCode": "22202",
            "country": "us",
        },
    }
    return {**base, **overrides}


async def register(stack: Stack, **overrides: Any) -> dict[str, Any]:
    data = await stack.data("customers", REGISTER, {"input": new_customer(**overrides)})
    result: dict[str, Any] = data["registerCustomer"]
    return result


async def test_register_answers_from_the_projection_and_query_sees_it(stack: Stack) -> None:
    created = await register(stack)
    assert created["email"] == "grace@navy.example"
    assert created["phone"] == "+12025550147"
    assert created["address"] == {
        "line1": "1 Navy Way",
        "line2": None,
        "city": "Arlington",
        "postalCode": "22202",
        "country": "US",
    }
    # Read-your-writes: a query right after the mutation sees the customer.
    found = await stack.data(
        "customers", "query($id: ID!) { customer(id: $id) { id name } }", {"id": created["id"]}
    )
    assert found["customer"] == {"id": created["id"], "name": "Grace Hopper"}


async def test_update_contact_and_change_address(stack: Stack) -> None:
    created = await register(stack, name="Alan Turing", email="alan@bletchley.example")
    updated = await stack.data(
        "customers",
        """mutation($input: UpdateCustomerContactInput!) {
             updateCustomerContact(input: $input) { name email phone } }""",
        {"input": {"id": created["id"], "phone": "+44 1908 640404"}},
    )
    assert updated["updateCustomerContact"] == {
        "name": "Alan Turing",
        "email": "alan@bletchley.example",
        "phone": "+441908640404",
    }
    moved = await stack.data(
        "customers",
        """mutation($input: ChangeCustomerAddressInput!) {
             changeCustomerAddress(input: $input) { address { city country } } }""",
        {
            "input": {
                "id": created["id"],
                "address": {
                    "line1": "Sherwood Dr",
                    "city": "Bletchley",
                    "postalCode": "MK3 6EB",
                    "country": "GB",
                },
            }
        },
    )
    assert moved["changeCustomerAddress"]["address"] == {"city": "Bletchley", "country": "GB"}


async def test_bad_input_is_a_precise_error_and_nothing_is_written(stack: Stack) -> None:
    before = await stack.store.read_all(0, 10_000)
    body = await stack.gql("customers", REGISTER, {"input": new_customer(email="not-an-email")})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "email"
    assert "not a valid email address" in error["message"]
    body = await stack.gql("customers", REGISTER, {"input": new_customer(name="n" * 500)})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "maximum is 120" in body["errors"][0]["message"]
    body = await stack.gql("customers", REGISTER, {"input": new_customer(phone="call me")})
    assert body["errors"][0]["extensions"]["field"] == "phone"
    assert len(await stack.store.read_all(0, 10_000)) == len(before)


async def test_unknown_customer_is_not_found_and_missing_is_null(stack: Stack) -> None:
    body = await stack.gql(
        "customers",
        'mutation { updateCustomerContact(input: {id: "' + str(uuid4()) + '", name: "X"}) { id } }',
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert "stacktrace" not in str(body)
    data = await stack.data("customers", 'query { customer(id: "' + str(uuid4()) + '") { id } }')
    assert data["customer"] is None
    body = await stack.gql("customers", 'query { customer(id: "nope") { id } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_customers_connection_pages_and_searches(stack: Stack) -> None:
    tag = "t" + uuid4().hex[:6]
    for i in range(5):
        await register(
            stack,
            name=f"Pager {tag} {i}",
            email=f"pager{i}.{tag}@example.com",
            phone=f"+49 30 55{i}{i}{i}{i}",
        )
    query = """query($first: Int, $after: String, $search: String) {
      customers(first: $first, after: $after, search: $search) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
        edges { cursor node { name } } nodes { email }
      } }"""
    first = (await stack.data("customers", query, {"first": 2, "search": tag}))["customers"]
    assert first["totalCount"] == 5
    assert [e["node"]["name"] for e in first["edges"]] == [f"Pager {tag} 0", f"Pager {tag} 1"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (
        await stack.data(
            "customers",
            query,
            {"first": 10, "after": first["pageInfo"]["endCursor"], "search": tag},
        )
    )["customers"]
    assert [n["email"] for n in rest["nodes"]] == [f"pager{i}.{tag}@example.com" for i in (2, 3, 4)]
    assert rest["pageInfo"] == {**rest["pageInfo"], "hasNextPage": False, "hasPreviousPage": True}
    by_email = (await stack.data("customers", query, {"search": f"PAGER3.{tag}"}))["customers"]
    assert [n["email"] for n in by_email["nodes"]] == [f"pager3.{tag}@example.com"]
    by_phone = (await stack.data("customers", query, {"search": "+49 30 554444"}))["customers"]
    assert f"pager4.{tag}@example.com" in [n["email"] for n in by_phone["nodes"]]
    regex_chars = (await stack.data("customers", query, {"search": ".*"}))["customers"]
    assert regex_chars["totalCount"] == 0
    body = await stack.gql("customers", query, {"first": 2, "after": "garbage"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_entities_resolve_customers_by_key(stack: Stack) -> None:
    created = await register(stack, name="Entity Person", email="entity@example.com")
    data = await stack.data(
        "customers",
        """query($r: [_Any!]!) { _entities(representations: $r) {
             ... on Customer { id name email address { city } } } }""",
        {
            "r": [
                {"__typename": "Customer", "id": created["id"]},
                {"__typename": "Customer", "id": str(uuid4())},
            ]
        },
    )
    assert data["_entities"] == [
        {
            "id": created["id"],
            "name": "Entity Person",
            "email": "entity@example.com",
            "address": {"city": "Arlington"},
        },
        None,
    ]


async def test_service_sdl_matches_the_committed_file(stack: Stack) -> None:
    data = await stack.data("customers", "{ _service { sdl } }")
    served = data["_service"]["sdl"]
    assert served == customers.sdl()
    committed = SCHEMA_FILE.read_text()
    assert print_schema(build_ast_schema(parse(served), assume_valid=True)) == print_schema(
        build_ast_schema(parse(committed), assume_valid=True)
    )
    assert committed.strip() == served.strip()


async def test_write_model_fallback_equals_the_projection(stack: Stack) -> None:
    created = await register(stack, name="Fallback Person", email="fallback@example.com")
    customer = await CustomerHandlers(stack.store).repository.load(created["id"])
    doc = await CustomerView.get(created["id"])
    assert doc is not None
    assert await from_write_model(customer, stack.store) == from_view(doc)


async def test_an_email_belongs_to_one_customer(stack: Stack) -> None:
    tag = uuid4().hex[:8]
    loop = asyncio.get_running_loop()
    started = loop.time()
    first = await register(stack, name="First Holder", email=f"taken.{tag}@example.com")
    # The guard's event is not the projection's business: no read-your-writes timeout.
    assert loop.time() - started < READ_YOUR_WRITES_TIMEOUT
    other = await register(stack, name="Other Person", email=f"other.{tag}@example.com")
    before = len(await stack.store.read_all(0, 10_000))
    body = await stack.gql(
        "customers", REGISTER, {"input": new_customer(email=f"  TAKEN.{tag}@Example.com ")}
    )
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["field"] == "email"
    assert error["message"].startswith(f"email 'taken.{tag}@example.com' is already registered")
    update = """mutation($input: UpdateCustomerContactInput!) {
                  updateCustomerContact(input: $input) { email } }"""
    body = await stack.gql(
        "customers", update, {"input": {"id": other["id"], "email": f"Taken.{tag}@example.com"}}
    )
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert len(await stack.store.read_all(0, 10_000)) == before
    # Moving to a new address frees the old one for someone else.
    moved = await stack.data(
        "customers", update, {"input": {"id": first["id"], "email": f"moved.{tag}@example.com"}}
    )
    assert moved["updateCustomerContact"] == {"email": f"moved.{tag}@example.com"}
    again = await register(stack, name="Next Holder", email=f"taken.{tag}@example.com")
    assert again["id"] not in (first["id"], other["id"])

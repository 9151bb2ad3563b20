"""docs/access.md is the law: every role against every query and mutation, through `pos run`.

Two tables of docs/access.md are read: the permission matrix (which scopes each role holds)
and "Every operation and protected field" (what each field needs). The first test checks
the second table against the composed supergraph's `@requiresScopes`/`@authenticated`, both
ways, so a field annotated differently from the document, or not documented, fails. The
second calls every Query and Mutation root field through the embedded gateway, as an
anonymous caller and as each role (real staff tokens), with arguments of the right types:
where the document refuses the caller the answer is `UNAUTHORIZED_FIELD_OR_TYPE` at the
field and a mutation writes nothing; where it allows it, no authorization error (the
arguments may still be refused as unknown ids: that is the subgraph's business).
Subscriptions are checked by the subscription tests (they go through the same guard).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
    get_named_type,
    is_composite_type,
    parse,
    print_ast,
)

from pos.commands.run import SUPERGRAPH
from subgraphs.staff import STAFF
from supergraph.runtime import load_supergraph
from tests.e2e.stacks import Stack, embedded_stack
from tests.staff_tokens import bearer

ACCESS = Path(__file__).resolve().parents[2] / "docs" / "access.md"
ROLES = ("CASHIER", "SUPERVISOR", "MANAGER", "ADMIN")
ANYONE, SIGNED_IN = "anyone", "signed in"


def _matrix() -> dict[str, set[str]]:
    """Role -> scopes, from the permission matrix of docs/access.md."""
    text = ACCESS.read_text()
    header = next(line for line in text.splitlines() if line.startswith("| scope |"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    held: dict[str, set[str]] = {role: set() for role in ROLES}
    for line in text.splitlines():
        match = re.match(r"\| `([a-z]+:[a-z]+)` \|", line)
        if not match:
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        for role in ROLES:
            if cells[columns.index(role)] == "✓":
                held[role].add(match.group(1))
    return held


def _documented() -> dict[str, str | frozenset[str]]:
    """Field coordinate -> ANYONE, SIGNED_IN or the scopes of which one is needed."""
    text = ACCESS.read_text().split("## Every operation and protected field", 1)[1]
    needs: dict[str, str | frozenset[str]] = {}
    for field, need in re.findall(r"^\| `([A-Za-z]+\.[A-Za-z]+)` \| ([^|]+) \|$", text, re.M):
        need = need.strip()
        needs[field] = (
            need if need in (ANYONE, SIGNED_IN) else frozenset(re.findall(r"`([^`]+)`", need))
        )
    return needs


def _annotated() -> dict[str, str | frozenset[str]]:
    """The same, read from the composed supergraph's directives."""
    found: dict[str, str | frozenset[str]] = {}
    for definition in parse(SUPERGRAPH.read_text()).definitions:
        name = getattr(definition, "name", None)
        fields = getattr(definition, "fields", None)
        if name is None or not fields or name.value.startswith(("join__", "link__")):
            continue
        for field in fields:
            directives = {d.name.value: d for d in field.directives or ()}
            coordinate = f"{name.value}.{field.name.value}"
            if "requiresScopes" in directives:
                found[coordinate] = frozenset(
                    re.findall(r'"([^"]+)"', print_ast(directives["requiresScopes"]))
                )
            elif "authenticated" in directives:
                found[coordinate] = SIGNED_IN
            elif name.value in ("Query", "Mutation", "Subscription"):
                found[coordinate] = ANYONE
    return found


def test_the_document_and_the_supergraph_agree_on_every_field() -> None:
    documented, annotated = _documented(), _annotated()
    assert documented == annotated, {
        "in the supergraph, not as documented": {
            k: v for k, v in annotated.items() if documented.get(k) != v
        },
        "documented, not in the supergraph": sorted(set(documented) - set(annotated)),
    }
    scopes = set().union(*_matrix().values())
    for need in documented.values():
        if isinstance(need, frozenset):
            assert need <= scopes, f"{need - scopes} is not in the permission matrix"


def _allowed(need: str | frozenset[str], role: str | None, matrix: dict[str, set[str]]) -> bool:
    if need == ANYONE:
        return True
    if role is None:
        return False
    return need == SIGNED_IN or bool(set(need) & matrix[role])


SCALARS: dict[str, Any] = {
    "ID": "00000000-0000-4000-8000-0000000000ff",
    "String": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": True,
    "Date": "2026-01-01",
    "DateTime": "2026-01-01T00:00:00Z",
}


def _value(type_: GraphQLInputType) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [_value(type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: _value(field.type)
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        }
    assert isinstance(type_, GraphQLScalarType)
    return SCALARS.get(type_.name, "1.00")


def _operation(kind: str, name: str, field: GraphQLField) -> tuple[str, dict[str, Any]]:
    """`kind` calling only `name`, every argument a variable of its declared type."""
    declared = [(a, arg) for a, arg in field.args.items()]
    variables = ", ".join(f"${a}: {arg.type}" for a, arg in declared)
    arguments = ", ".join(f"{a}: ${a}" for a, _ in declared)
    selection = " { __typename }" if is_composite_type(get_named_type(field.type)) else ""
    query = (
        f"{kind}{f'({variables})' if variables else ''} "
        f"{{ {name}{f'({arguments})' if arguments else ''}{selection} }}"
    )
    return query, {a: _value(arg.type) for a, arg in declared}


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    async with embedded_stack(tmp_path_factory.mktemp("pos")) as running:
        yield running


def _cases() -> list[tuple[str, str]]:
    return [
        (kind, coordinate)
        for coordinate in sorted(_documented())
        for kind in ("query", "mutation")
        if coordinate.startswith(f"{kind.capitalize()}.")
    ]


@pytest.mark.parametrize(("kind", "coordinate"), _cases())
async def test_each_role_may_call_exactly_what_the_document_says(
    stack: Stack, kind: str, coordinate: str
) -> None:
    matrix, need = _matrix(), _documented()[coordinate]
    api = load_supergraph(SUPERGRAPH.read_text()).api_schema
    root = api.mutation_type if kind == "mutation" else api.query_type
    assert root is not None
    name = coordinate.split(".")[1]
    query, variables = _operation(kind, name, root.fields[name])
    anonymous = httpx.AsyncClient(transport=stack.gateway._transport, base_url="http://pos.test")
    for role in (None, *ROLES):
        client = stack.gateway if role else anonymous
        headers = bearer(STAFF.identity, [role]) if role else {}
        before = await stack.count_events()
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, (coordinate, role, response.text)
        body = response.json()
        refused = [
            e
            for e in body.get("errors") or []
            if (e.get("extensions") or {}).get("code") == "UNAUTHORIZED_FIELD_OR_TYPE"
            and e.get("path", [None])[0] == name
        ]
        if _allowed(need, role, matrix):
            assert not refused, (coordinate, role, body)
        else:
            assert refused, (coordinate, role, body)
            assert (body.get("data") or {}).get(name) is None
            assert await stack.count_events() == before, (coordinate, role, "wrote events")

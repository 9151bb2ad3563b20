"""@defer changes when data arrives, never what it is: a property test over generated
operations on feature-rich fixture graphs (entities across subgraphs, @requires,
@provides, abstract types, lists, nested and compound keys, @fromContext).

Each operation is generated from the API schema with a fixed seed, valid by graphql-core,
with random selections wrapped in `... @defer` (labelled or not, nested, with type
conditions on abstract types, on the root `Query`). The multipart answer, reassembled as a
client does it (each entry's data merged into what arrived before at its path), must equal
the answer to the same operation without `@defer`: data exactly, errors by path and
message. A deferred fragment whose non-null field fails is `null` at its own path, where
the plain answer nulls the nearest nullable parent (and its subgraph may stop before other
fields fail): then each null must come with an error below it.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
from fixture_graphs import supergraph_sdl
from gateway_harness import RunningGraph, run_graph
from graphql import (
    DirectiveNode,
    GraphQLEnumType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Visitor,
    get_named_type,
    is_composite_type,
    parse,
    print_ast,
    validate,
    visit,
)
from graphql.language.visitor import REMOVE
from test_gateway_defer import MULTIPART_ACCEPT, parts

from supergraph.runtime import load_supergraph

Composite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


@dataclass(frozen=True)
class GraphCase:
    """A fixture graph, the seeds of its operations and argument values that hit data."""

    graph: str
    seed: int
    count: int
    # "Type.field.argument" -> GraphQL literals to pick from (a required one must be here
    # unless its type is an enum, Int or Boolean)
    arguments: dict[str, tuple[str, ...]] = field(default_factory=dict)


CASES = [
    GraphCase(
        "shop",
        seed=1,
        count=120,
        arguments={
            "Query.product.upc": ('"1"', '"2"', '"3"', '"404"'),
            "Query.topProducts.first": ("1", "2", "5"),
        },
    ),
    GraphCase(
        "keys",
        seed=2,
        count=100,
        arguments={
            "Query.account.bank": ('"ING"', '"ABN"'),
            "Query.account.number": ("42", "7"),
        },
    ),
    GraphCase(
        "requires",
        seed=3,
        count=100,
        arguments={"Item.price.currency": ('"USD"', '"EUR"')},
    ),
    GraphCase("abstract", seed=4, count=120, arguments={"Query.search.term": ('"e"', '"Dune"')}),
    GraphCase("context", seed=5, count=80),
]


class OperationGenerator:
    """Random valid operations over an API schema with random `@defer` fragments."""

    def __init__(self, schema: GraphQLSchema, rng: random.Random, case: GraphCase) -> None:
        self.schema = schema
        self.rng = rng
        self.arguments = case.arguments
        self.labels = 0
        self.aliases = 0
        self.active = 0

    def operation(self) -> tuple[str, int]:
        """The query text and how many active `@defer`s it has."""
        self.labels = self.aliases = self.active = 0
        root = self.schema.query_type
        assert root is not None
        body = self.selections(root, depth=self.rng.randint(2, 4))
        return "query {\n" + "\n".join(body) + "\n}", self.active

    # -- selections ---------------------------------------------------------------------

    def selections(self, parent: Composite, depth: int) -> list[str]:
        out: list[str] = []
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            names = [n for n in parent.fields if not n.startswith("__")]
            for name in self.rng.sample(names, self.rng.randint(1, min(4, len(names)))):
                text = self.field(parent, name, depth)
                if text is not None:
                    out.append(text)
        if isinstance(parent, GraphQLInterfaceType | GraphQLUnionType):
            for possible in self.schema.get_possible_types(parent):
                if self.rng.random() < 0.5:
                    inner = self.selections(possible, depth)
                    out.append(self.fragment(f"on {possible.name}", inner, always_defer=False))
        if not out or self.rng.random() < 0.15:
            out.append("__typename")
        return self.deferring(parent, out, depth)

    def field(
        self, parent: GraphQLObjectType | GraphQLInterfaceType, name: str, depth: int
    ) -> str | None:
        definition = parent.fields[name]
        named = get_named_type(definition.type)
        if is_composite_type(named) and depth <= 0:
            return None
        args = []
        for arg_name, arg in definition.args.items():
            required = isinstance(arg.type, GraphQLNonNull) and arg.default_value is None
            if not required and self.rng.random() < 0.6:
                continue
            value = self.value(f"{parent.name}.{name}.{arg_name}", arg.type)
            if value is None:
                if required:
                    return None
                continue
            args.append(f"{arg_name}: {value}")
        text = name + (f"({', '.join(args)})" if args else "")
        if args or self.rng.random() < 0.1:
            self.aliases += 1
            text = f"a{self.aliases}: {text}"
        if is_composite_type(named):
            assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)
            inner = self.selections(named, depth - 1)
            text += " {\n" + "\n".join(inner) + "\n}"
        return text

    def value(self, where: str, type_: GraphQLInputType) -> str | None:
        if where in self.arguments:
            return self.rng.choice(self.arguments[where])
        named = get_named_type(type_)
        if isinstance(named, GraphQLEnumType):
            return self.rng.choice(list(named.values))
        if isinstance(named, GraphQLScalarType) and named.name == "Int":
            return str(self.rng.randint(1, 3))
        if isinstance(named, GraphQLScalarType) and named.name == "Boolean":
            return self.rng.choice(("true", "false"))
        return None

    # -- @defer ---------------------------------------------------------------------------

    def deferring(self, parent: Composite, selections: list[str], depth: int) -> list[str]:
        """Wrap a random part of `selections` in a deferred fragment, sometimes twice
        (a fragment nested directly in another)."""
        for _ in range(2):
            if self.rng.random() < 0.45:
                break
            chosen = self.rng.sample(selections, self.rng.randint(1, len(selections)))
            rest = [s for s in selections if s not in chosen]
            condition = ""
            if self.rng.random() < 0.3 and not isinstance(parent, GraphQLUnionType):
                condition = f"on {parent.name}"
            selections = [*rest, self.fragment(condition, chosen, always_defer=True)]
            self.rng.shuffle(selections)
        return selections

    def fragment(self, condition: str, inner: list[str], always_defer: bool) -> str:
        directive = ""
        if always_defer or self.rng.random() < 0.4:
            roll = self.rng.random()
            if roll < 0.08:
                directive = " @defer(if: false)"
            elif roll < 0.5:
                self.labels += 1
                self.active += 1
                directive = f' @defer(label: "d{self.labels}")'
            else:
                self.active += 1
                directive = " @defer"
        head = f"... {condition}".rstrip() + directive
        return head + " {\n" + "\n".join(inner) + "\n}"


def without_defer(query: str) -> str:
    class _Strip(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: object) -> object:
            return REMOVE if node.name.value == "defer" else None

    return print_ast(visit(parse(query), _Strip()))


def operations(case: GraphCase, schema: GraphQLSchema) -> list[tuple[str, int]]:
    rng = random.Random(case.seed)
    generator = OperationGenerator(schema, rng, case)
    out: list[tuple[str, int]] = []
    while len(out) < case.count:
        query, active = generator.operation()
        if not validate(schema, parse(query)):
            out.append((query, active))
    return out


# -- a client's view of the multipart answer ----------------------------------------------


def at_path(data: Any, path: list[str | int]) -> Any:
    node = data
    for step in path:
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and step < len(node) else None
        else:
            node = node.get(step) if isinstance(node, dict) else None
    return node


def merge(target: dict[str, Any], data: dict[str, Any]) -> None:
    for key, value in data.items():
        have = target.get(key)
        if isinstance(have, dict) and isinstance(value, dict):
            merge(have, value)
        elif isinstance(have, list) and isinstance(value, list) and len(have) == len(value):
            for i, (a, b) in enumerate(zip(have, value, strict=True)):
                if isinstance(a, dict) and isinstance(b, dict):
                    merge(a, b)
                else:
                    have[i] = b
        else:
            target[key] = value


def error_set(errors: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(str(e.get("path")), str(e.get("message"))) for e in errors}


@dataclass
class Reassembled:
    data: Any
    errors: list[dict[str, Any]]
    payloads: int
    has_next_last: Any
    problems: list[str]
    nulled_entries: int
    unexplained: list[list[str | int]]


def reassemble(payloads: list[dict[str, Any]]) -> Reassembled:
    first, *rest = payloads
    data = copy.deepcopy(first.get("data"))
    errors = list(first.get("errors") or ())
    problems: list[str] = []
    nulled = 0
    unexplained: list[list[str | int]] = []
    if rest and first.get("hasNext") is not True:
        problems.append("the initial payload has more after it but hasNext is not true")
    for i, payload in enumerate(rest):
        if payload.get("hasNext") is not (i < len(rest) - 1):
            problems.append(f"payload {i + 1}: hasNext {payload.get('hasNext')!r}")
        errors += payload.get("errors") or ()
        for entry in payload.get("incremental") or ():
            errors += entry.get("errors") or ()
            target = at_path(data, entry["path"])
            if not isinstance(target, dict):
                problems.append(f"entry path {entry['path']} is no object: {target!r}")
                continue
            if entry.get("data") is None:
                nulled += 1
                below = [e.get("path") or [] for e in entry.get("errors") or ()]
                if not any(p[: len(entry["path"])] == entry["path"] for p in below):
                    unexplained.append(entry["path"])
                continue
            merge(target, entry["data"])
    last = payloads[-1].get("hasNext")
    return Reassembled(data, errors, len(payloads), last, problems, nulled, unexplained)


async def deferred_payloads(graph: RunningGraph, query: str) -> list[dict[str, Any]]:
    response = await graph.client.post(
        graph.gateway_url,
        content=orjson.dumps({"query": query}),
        headers={"content-type": "application/json", "accept": MULTIPART_ACCEPT},
    )
    if response.headers["content-type"].startswith("multipart/mixed"):
        return parts(response.content)
    return [{**response.json(), "hasNext": False}]


def mismatch(query: str, active: int, deferred: list[dict[str, Any]], plain: Any) -> list[str]:
    """What is wrong with the deferred answer to `query`, compared with the plain one."""
    got = reassemble(deferred)
    problems = list(got.problems)
    if got.has_next_last is not False:
        problems.append("the last payload's hasNext is not false")
    if active and got.payloads < 2 and got.data is not None:
        problems.append(f"{active} active @defer but {got.payloads} payload(s)")
    errors, expected = error_set(got.errors), error_set(plain.get("errors") or [])
    if got.nulled_entries or got.data is None:
        # a null stopped at a fragment (or nulled the initial payload): what lay below it is
        # not delivered, and the plain answer's subgraph may have stopped before fields the
        # deferred fetches did run: each null must come with its error
        if got.data is None and plain.get("data") is not None:
            problems.append("the initial data is null, the plain data is not")
        if got.unexplained:
            problems.append(f"null entries without an error below them: {got.unexplained}")
    elif errors != expected:
        problems.append("errors differ")
    elif got.data != plain.get("data"):
        problems.append("data differs")
    if not problems:
        return []
    return [
        "\n".join(
            [
                *problems,
                f"query:\n{query}",
                "deferred payloads:\n"
                + orjson.dumps(deferred, option=orjson.OPT_INDENT_2).decode(),
                f"reassembled: {orjson.dumps(got.data).decode()}",
                f"plain: {orjson.dumps(plain).decode()}",
            ]
        )
    ]


def consistent(graph: RunningGraph) -> None:
    """Make the fixture answer one value per object however it is reached, as the property
    needs (a deferred field is fetched by key where the plain one may come with its parent):
    an entity stub a subgraph keeps no records of resolves to its representation, as
    subgraph libraries do by default, `music` resolves the song its root field returns by
    key, and `social` gives `mostLiked`'s likes by key too."""
    for sub in graph.subgraphs.values():
        for type_name in sub.keys:
            if type_name not in sub.records and type_name not in sub.references:
                sub.references[type_name] = lambda _rep: {}
    if graph.name == "abstract":
        songs = {"s1": {"title": "Blue", "artist": "Joni"}}  # what `musicSearch` returns
        graph.subgraphs["music"].references["Song"] = lambda rep: songs.get(rep["id"])
        liked = {"m1": 99, "b2": 42}
        graph.subgraphs["social"].references["Media"] = lambda rep: {
            "likes": liked.get(rep["id"], len(rep["id"]) * 7)
        }


@pytest.mark.parametrize("case", CASES, ids=[c.graph for c in CASES])
async def test_deferred_answer_reassembles_to_the_plain_answer(case: GraphCase) -> None:
    schema = load_supergraph(supergraph_sdl(case.graph)).api_schema
    failures: list[str] = []
    async with run_graph(case.graph) as graph:
        consistent(graph)
        for query, active in operations(case, schema):
            deferred = await deferred_payloads(graph, query)
            plain = await graph.query(without_defer(query))
            failures += mismatch(query, active, deferred, plain)
    assert not failures, f"{len(failures)} mismatches; first:\n" + "\n\n".join(failures[:3])

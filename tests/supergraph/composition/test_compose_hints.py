"""Composition hints: Apollo's non-fatal warnings, same codes and wording as Apollo's.

One small case per hint code (ours and Apollo's give that hint with the same message),
then every fixture graph: for the codes we implement, exactly Apollo's hints.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from apollo_reference import FED2, ours
from test_compose_fixture_graphs import FOLDERS, _sdls

from supergraph.composition.compare import supergraph_differences
from supergraph.composition.hints import IMPLEMENTED_HINTS

Q = "type Query { q: Int }\n"


def _link(version: str, *imports: str) -> str:
    names = ", ".join(f'"@{i}"' for i in imports)
    return (
        f'extend schema @link(url: "https://specs.apollo.dev/federation/v{version}", '
        f"import: [{names}])\n"
    )


CASES: dict[str, dict[str, str]] = {
    "INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE": {
        "a": FED2 + "type Query { n: Int! @shareable }",
        "b": FED2 + "type Query { n: Int @shareable }",
    },
    "INCONSISTENT_BUT_COMPATIBLE_ARGUMENT_TYPE": {
        "a": FED2 + "type Query { f(x: Int!): Int @shareable }",
        "b": FED2 + "type Query { f(x: Int): Int @shareable }",
    },
    "INCONSISTENT_DEFAULT_VALUE_PRESENCE": {
        "a": FED2 + "type Query { f(x: Int = 3): Int @shareable }",
        "b": FED2 + "type Query { f(x: Int): Int @shareable }",
    },
    "INCONSISTENT_ENTITY": {
        "a": FED2 + 'type Query { t: T }\ntype T @key(fields: "id") { id: ID! @shareable }',
        "b": FED2 + "type T { id: ID! @shareable }\n" + Q,
    },
    "INCONSISTENT_OBJECT_VALUE_TYPE_FIELD": {
        "a": FED2 + "type Query { v: V @shareable }\ntype V @shareable { x: Int y: Int }",
        "b": FED2 + "type Query { v: V @shareable }\ntype V @shareable { x: Int }",
    },
    "INCONSISTENT_INTERFACE_VALUE_TYPE_FIELD": {
        "a": FED2 + "type Query { i: I @shareable }\ninterface I { x: Int y: Int }\n"
        "type A implements I @shareable { x: Int y: Int }",
        "b": FED2 + "type Query { i: I @shareable }\ninterface I { x: Int }\n"
        "type A implements I @shareable { x: Int y: Int }",
    },
    "INCONSISTENT_INPUT_OBJECT_FIELD": {
        "a": FED2 + "type Query { f(i: In): Int @shareable }\ninput In { x: Int y: Int }",
        "b": FED2 + "type Query { f(i: In): Int @shareable }\ninput In { x: Int }",
        "c": FED2 + "type Query { g: Int }",
    },
    "INCONSISTENT_UNION_MEMBER": {
        "a": FED2 + "type Query { u: U @shareable }\nunion U = A | B\n"
        "type A @shareable { x: Int }\ntype B @shareable { y: Int }",
        "b": FED2 + "type Query { u: U @shareable }\nunion U = A\ntype A @shareable { x: Int }",
    },
    "INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM": {
        "a": FED2 + "type Query { f(e: E): Int @shareable }\nenum E { X Y }",
        "b": FED2 + "type Query { f(e: E): Int @shareable }\nenum E { X }",
    },
    "INCONSISTENT_ENUM_VALUE_FOR_OUTPUT_ENUM": {
        "a": FED2 + "type Query { e: E @shareable }\nenum E { X Y }",
        "b": FED2 + "type Query { e: E @shareable }\nenum E { X Z }",
    },
    "UNUSED_ENUM_TYPE": {
        "a": FED2 + Q + "enum E { X }",
        "b": FED2 + "type Query { r: Int }",
    },
    "INCONSISTENT_DESCRIPTION": {
        "a": FED2 + 'type Query {\n  "Count of things"\n  n: Int @shareable\n}',
        "b": FED2 + 'type Query {\n  "How many\\nthings"\n  n: Int @shareable\n}',
    },
    "INCONSISTENT_ARGUMENT_PRESENCE": {
        "a": FED2 + "type Query { f(x: Int, y: Int): Int @shareable }",
        "b": FED2 + "type Query { f(x: Int): Int @shareable }",
        "c": FED2 + "type Query { g: Int }",
    },
    "INCONSISTENT_EXECUTABLE_DIRECTIVE_PRESENCE": {
        "a": FED2 + Q + "directive @d on FIELD",
        "b": FED2 + "type Query { r: Int }",
    },
    "NO_EXECUTABLE_DIRECTIVE_INTERSECTION": {
        "a": FED2 + Q + "directive @d on FIELD",
        "b": FED2 + "type Query { r: Int }\ndirective @d on QUERY | MUTATION",
    },
    "INCONSISTENT_EXECUTABLE_DIRECTIVE_REPEATABLE": {
        "a": FED2 + Q + "directive @d repeatable on FIELD",
        "b": FED2 + "type Query { r: Int }\ndirective @d on FIELD",
    },
    "INCONSISTENT_EXECUTABLE_DIRECTIVE_LOCATIONS": {
        "a": FED2 + Q + "directive @d on FIELD | QUERY",
        "b": FED2 + "type Query { r: Int }\ndirective @d on FIELD",
    },
    "FROM_SUBGRAPH_DOES_NOT_EXIST": {
        "alpha": FED2 + 'type Query { t: T }\ntype T @key(fields: "id") { id: ID! }',
        "beta": FED2 + 'type T @key(fields: "id") { id: ID! x: Int @override(from: "alpah") }',
    },
    "OVERRIDDEN_FIELD_CAN_BE_REMOVED": {
        "a": FED2 + 'type Query { t: T }\ntype T @key(fields: "id") { id: ID! x: Int }',
        "b": FED2 + 'type T @key(fields: "id") { id: ID! x: Int @override(from: "a") }',
    },
    "OVERRIDE_DIRECTIVE_CAN_BE_REMOVED": {
        "a": FED2 + 'type Query { t: T }\ntype T @key(fields: "id") { id: ID! }',
        "b": FED2 + 'type T @key(fields: "id") { id: ID! x: Int @override(from: "a") }',
    },
    "OVERRIDE_MIGRATION_IN_PROGRESS": {
        "a": _link("2.7", "key", "override") + 'type Query { t: T }\ntype T @key(fields: "id")'
        " { id: ID! x: Int }",
        "b": _link("2.7", "key", "override")
        + 'type T @key(fields: "id") { id: ID! x: Int @override(from: "a", label: "percent(5)") }',
    },
    "MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS": {
        "a": _link("2.9", "shareable", "cost")
        + "type Query { n: Int @shareable @cost(weight: 2) }",
        "b": _link("2.9", "shareable", "cost")
        + "type Query { n: Int @shareable @cost(weight: 5) }",
    },
    "CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS": {
        "a": _link("2.8", "key", "context", "fromContext", "shareable")
        + 'type Query { u: U @shareable }\ntype U @key(fields: "id") @context(name: "ctx")'
        " { id: ID! name: String! @shareable c: C @shareable }\n"
        'type C @key(fields: "id") { id: ID!\n'
        '  f(n: String @fromContext(field: "$ctx { name }")): Int @shareable }',
        "b": _link("2.8", "key", "shareable")
        + 'type Query { u: U @shareable }\ntype U @key(fields: "id") { id: ID! name: String!'
        ' @shareable c: C @shareable }\ntype C @key(fields: "id") { id: ID! f(n: String): Int'
        " @shareable }",
    },
    "IMPLICITLY_UPGRADED_FEDERATION_VERSION": {
        "a": _link("2.3", "key")
        + '@link(url: "https://specs.apollo.dev/connect/v0.1", import: ["@connect"])\n'
        + 'type Query { n: [Int] @connect(http: {GET: "/n"}, selection: "$") }',
        "b": _link("2.10", "key")
        + '@link(url: "https://specs.apollo.dev/connect/v0.2", import: ["@connect"])\n'
        + 'type Query { m: [Int] @connect(http: {GET: "/m"}, selection: "$") }',
    },
    "INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS": {
        name: _link("2.3", "shareable", "composeDirective")
        + '@link(url: "https://pos.example/x/v1.0", import: ["@x"]) @composeDirective(name: "@x")\n'
        + "directive @x(n: Int, s: String) on FIELD_DEFINITION\n"
        + f"type Query {{ {fields} }}"
        for name, fields in (
            (
                "a",
                'a: Int @shareable @deprecated(reason: "old") @x(n: 1) b: Int @shareable'
                ' @deprecated c: Int @shareable @x(n: 1, s: "q")',
            ),
            (
                "b",
                'a: Int @shareable @deprecated(reason: "older") @x(n: 2) b: Int @shareable'
                ' @deprecated(reason: "gone") c: Int @shareable @x(s: "q", n: 1)',
            ),
            ("c", 'a: Int @shareable @deprecated(reason: "older") @x b: Int @shareable'),
        )
    },
    "DIRECTIVE_COMPOSITION_INFO": {
        "a": _link("2.3", "composeDirective", "tag")
        + '@link(url: "https://pos.example/x/v1.0", import: ["@x"]) @composeDirective(name: "@tag")'
        + '\ndirective @x on FIELD_DEFINITION\ntype Query { a: Int @x @tag(name: "t") }',
        "b": _link("2.3", "key")
        + '@link(url: "https://pos.example/x/v2.0", import: ["@x"])\n'
        + "directive @x on FIELD_DEFINITION\ntype Query { b: Int @x }",
    },
    "DIRECTIVE_COMPOSITION_WARN": {
        "a": _link("2.3", "composeDirective")
        + '@link(url: "https://pos.example/x/v1.0", import: ["@x"]) @composeDirective(name: "@x")'
        + "\ndirective @x(n: Int) on FIELD_DEFINITION\ntype Query { a: Int @x(n: 1) }",
        "b": _link("2.3", "key")
        + '@link(url: "https://pos.example/x/v1.0", import: [{name: "@x", as: "@y"}])\n'
        + "directive @y(n: Int) on FIELD_DEFINITION\ntype Query { b: Int @y(n: 2) }",
    },
    "INCONSISTENT_RUNTIME_TYPES_FOR_SHAREABLE_RETURN": {
        "a": FED2 + "type Query { u: U @shareable }\nunion U = A | B\n"
        "type A @shareable { x: Int }\ntype B @shareable { y: Int }",
        "b": FED2 + "type Query { u: U @shareable }\nunion U = A | C\n"
        "type A @shareable { x: Int }\ntype C { z: Int }",
    },
}

# More ways to get a code (CASES has one per code).
MORE_CASES: dict[str, tuple[str, dict[str, str]]] = {
    "composition_info_for_two_composing_subgraphs_and_one_not": (
        "DIRECTIVE_COMPOSITION_INFO",
        {
            name: _link("2.3", "composeDirective", "key")
            + f'@link(url: "https://pos.example/x/v{version}", import: ["@x"])'
            + (' @composeDirective(name: "@x")' if composes else "")
            + f"\ndirective @x on FIELD_DEFINITION\ntype Query {{ {name}: Int @x }}"
            for name, version, composes in (
                ("a", "1.0", True),
                ("b", "1.1", True),
                ("c", "2.0", False),
            )
        },
    ),
    "composition_info_for_authenticated": (
        "DIRECTIVE_COMPOSITION_INFO",
        {
            "a": _link("2.5", "composeDirective", "authenticated")
            + '@composeDirective(name: "@authenticated")\ntype Query { a: Int @authenticated }',
        },
    ),
    "implicit_upgrade_to_a_preview_connect_spec": (
        "IMPLICITLY_UPGRADED_FEDERATION_VERSION",
        {
            "a": _link("2.12", "key")
            + '@link(url: "https://specs.apollo.dev/connect/v0.4", import: ["@connect"])\n'
            + 'type Query { n: [Int] @connect(http: {GET: "/n"}, selection: "$") }',
        },
    ),
    "runtime_types_below_a_key_jump": (
        "INCONSISTENT_RUNTIME_TYPES_FOR_SHAREABLE_RETURN",
        {
            name: FED2
            + f"type Query {{ {root} }}\n"
            + 'type T @key(fields: "id") { id: ID! i: I @shareable }\ninterface I { x: Int }\n'
            + "".join(f"type {t} implements I @shareable {{ x: Int }}\n" for t in types)
            for name, root, types in (
                ("z", "t: T", "ABD"),
                ("y", "q: Int", "AC"),
                ("x", "r: Int", "AD"),
            )
        },
    ),
    "description_of_the_schema_and_of_executable_directives": (
        "INCONSISTENT_DESCRIPTION",
        {
            name: f'"""The {desc}"""\nschema {{ query: Query }}\n'
            + FED2
            + f'"{verb} it"\ndirective @d(\n  "{why}" x: Int\n) on FIELD\n'
            + f"type Query {{ {name}: Int }}"
            for name, desc, verb, why in (
                ("a", "shop", "run", "why"),
                ("b", "stock", "do", "why"),
                ("c", "stock", "run", "how"),
            )
        },
    ),
    "inconsistent_arguments_on_an_enum_value_and_a_type": (
        "INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS",
        {
            name: _link("2.3", "shareable", "composeDirective")
            + '@link(url: "https://pos.example/x/v1.0", import: ["@x"])'
            + ' @composeDirective(name: "@x")\n'
            + "directive @x(n: Int) on OBJECT | ENUM_VALUE\n"
            + f"type Query @shareable @x(n: {n}) {{ e: E }}\nenum E {{ A @deprecated(reason: "
            + f'"{reason}") B }}'
            for name, n, reason in (("a", 1, "r1"), ("b", 2, "r2"), ("c", 2, "r1"))
        },
    ),
}


@pytest.mark.parametrize("case", sorted(MORE_CASES))
def test_more_hints_like_apollo(case: str, apollo) -> None:
    code, sdls = MORE_CASES[case]
    reference = apollo(sdls)
    assert reference.supergraph_sdl is not None, reference.stderr
    result = ours(sdls)
    assert result.errors == [], [str(e) for e in result.errors]
    mine = sorted(str(h) for h in result.hints if h.code == code)
    theirs = sorted(h for h in reference.hints if h.split(":", 1)[0] == code)
    assert theirs, f"case does not make Apollo hint {code}: {reference.hints}"
    assert mine == theirs
    assert result.supergraph_sdl is not None
    assert supergraph_differences(result.supergraph_sdl, reference.supergraph_sdl) == []


def test_every_implemented_code_has_a_case() -> None:
    assert set(CASES) == IMPLEMENTED_HINTS


@pytest.mark.parametrize("code", sorted(CASES))
def test_hint_like_apollo(code: str, apollo) -> None:
    sdls = CASES[code]
    reference = apollo(sdls)
    assert reference.supergraph_sdl is not None, reference.stderr
    result = ours(sdls)
    assert result.errors == [], [str(e) for e in result.errors]
    mine = sorted(str(h) for h in result.hints if h.code == code)
    theirs = sorted(h for h in reference.hints if h.split(":", 1)[0] == code)
    assert theirs, f"case does not make Apollo hint {code}: {reference.hints}"
    assert mine == theirs


@pytest.mark.parametrize("folder", FOLDERS, ids=[f"{f.parent.name}/{f.name}" for f in FOLDERS])
def test_fixture_hints_match_apollo(folder: Path, apollo) -> None:
    sdls = _sdls(folder)
    reference = apollo(sdls)
    result = ours(sdls)
    mine = sorted(str(h) for h in result.hints)
    theirs = sorted(h for h in reference.hints if h.split(":", 1)[0] in IMPLEMENTED_HINTS)
    assert mine == theirs


def test_main_prints_hints_and_still_succeeds(tmp_path: Path, capsys) -> None:
    from supergraph.composition import main

    for name, sdl in CASES["INCONSISTENT_UNION_MEMBER"].items():
        (tmp_path / f"{name}.graphql").write_text(sdl)
    config = tmp_path / "supergraph.toml"
    config.write_text(
        "".join(
            f'[subgraphs.{n}]\nurl = "http://{n}.invalid/graphql"\nschema = "{n}.graphql"\n'
            for n in ("a", "b")
        )
    )
    assert main(config, tmp_path / "out.graphql") == 0
    assert (tmp_path / "out.graphql").exists()
    err = capsys.readouterr().err
    assert 'HINT INCONSISTENT_UNION_MEMBER: Union type "U" includes member type "B"' in err

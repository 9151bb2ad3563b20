"""Composition hints: Apollo's non-fatal warnings, same codes and wording as Apollo's.

One small case per hint code (ours and Apollo's give that hint with the same message),
then every fixture graph: for the codes we implement, exactly Apollo's hints.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from apollo_reference import FED2, ours
from test_compose_fixture_graphs import FOLDERS, _sdls

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
}


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

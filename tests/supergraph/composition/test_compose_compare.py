"""The semantic supergraph comparison ignores order but catches real differences."""

from __future__ import annotations

from apollo_reference import FED2, ours

from supergraph.composition.compare import api_schema, supergraph_differences

A = FED2 + 'type Query { t: T @inaccessible u: Int } type T @key(fields: "id") { id: ID! x: Int }'
B = FED2 + 'type T @key(fields: "id") { id: ID! y: Int @tag(name: "b") }'


def _sdl() -> str:
    sdl = ours({"a": A, "b": B}).supergraph_sdl
    assert sdl is not None
    return sdl


def test_reordered_directives_and_defaults_are_equal() -> None:
    sdl = _sdl()
    reordered = sdl.replace(
        '@join__type(graph: A, key: "id")\n  @join__type(graph: B, key: "id")',
        '@join__type(graph: B, key: "id", extension: false)\n  @join__type(graph: A, key: " id ")',
    )
    assert reordered != sdl
    assert supergraph_differences(reordered, sdl) == []


def test_missing_join_field_is_a_difference() -> None:
    sdl = _sdl()
    changed = sdl.replace("x: Int @join__field(graph: A)", "x: Int")
    assert supergraph_differences(changed, sdl) == [
        "T.x: only ours [], only theirs ['@join__field(graph: A)']"
    ]


def test_api_schema_drops_machinery_and_inaccessible() -> None:
    api = api_schema(_sdl())
    assert "join__" not in api and "link" not in api
    assert "t: T" not in api and "u: Int" in api

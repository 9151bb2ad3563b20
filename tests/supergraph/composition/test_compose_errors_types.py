"""Field, argument and type kinds must be compatible across subgraphs."""

from apollo_reference import FED2, assert_fails_like_apollo


def test_incompatible_field_types(apollo) -> None:
    a = FED2 + "type Query { n: Int @shareable }"
    b = FED2 + "type Query { n: String @shareable }"
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "FIELD_TYPE_MISMATCH",
        'Type of field "Query.n" is incompatible across subgraphs',
        'type "Int" in subgraph "a"',
        'type "String" in subgraph "b"',
    )


def test_list_against_single_value(apollo) -> None:
    a = FED2 + "type Query { n: [Int] @shareable }"
    b = FED2 + "type Query { n: Int @shareable }"
    assert_fails_like_apollo(apollo, {"a": a, "b": b}, "FIELD_TYPE_MISMATCH", '"Query.n"')


def test_type_kind_mismatch(apollo) -> None:
    a = FED2 + "type Query { a: Thing } type Thing { x: Int }"
    b = FED2 + "type Query { b: Thing } interface Thing { x: Int }"
    assert_fails_like_apollo(
        apollo, {"a": a, "b": b}, "TYPE_KIND_MISMATCH", 'Type "Thing" has mismatched kind'
    )


def test_required_argument_missing_elsewhere(apollo) -> None:
    a = FED2 + "type Query { f(x: Int!): Int @shareable }"
    b = FED2 + "type Query { f: Int @shareable }"
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
        'Argument "Query.f(x:)"',
        'required in subgraph "a"',
        'does not appear in subgraph "b"',
    )


def test_incompatible_argument_types(apollo) -> None:
    a = FED2 + "type Query { f(x: Int): Int @shareable }"
    b = FED2 + "type Query { f(x: String): Int @shareable }"
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "FIELD_ARGUMENT_TYPE_MISMATCH",
        'Type of argument "Query.f(x:)" is incompatible across subgraphs',
    )


def test_external_declared_narrower_than_its_definition(apollo) -> None:
    a = FED2 + (
        'type Query { users: [User!]! @provides(fields: "name") }'
        ' type User @key(fields: "id") { id: ID! name: String! @external }'
    )
    b = FED2 + 'type User @key(fields: "id") { id: ID! name: String @shareable }'
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "EXTERNAL_TYPE_MISMATCH",
        'Type of field "User.name" is incompatible across subgraphs (where marked @external)',
    )

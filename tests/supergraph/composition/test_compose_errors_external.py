"""@external, @requires and @provides must be used consistently."""

from apollo_reference import FED2, assert_fails_like_apollo


def test_external_everywhere(apollo) -> None:
    a = FED2 + (
        'type Query { t: T } type T @key(fields: "id") { id: ID! w: Int @external'
        ' x: Int @requires(fields: "w") }'
    )
    b = (
        FED2
        + 'type T @key(fields: "id") { id: ID! w: Int @external y: Int @requires(fields: "w") }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "EXTERNAL_MISSING_ON_BASE",
        'Field "T.w" is marked @external on all the subgraphs',
        'subgraphs "a" and "b"',
    )


def test_requires_a_field_that_is_not_external(apollo) -> None:
    a = FED2 + (
        'type Query { t: T } type T @key(fields: "id") { id: ID! w: Int'
        ' x: Int @requires(fields: "w") }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a},
        "REQUIRES_FIELDS_MISSING_EXTERNAL",
        "[a]",
        'On field "T.x", for @requires(fields: "w")',
        'field "T.w" should not be part of a @requires',
    )


def test_requires_an_unknown_field(apollo) -> None:
    a = FED2 + 'type Query { t: T } type T @key(fields: "id") {'
    a += ' id: ID! x: Int @requires(fields: "nope") }'
    assert_fails_like_apollo(
        apollo, {"a": a}, "REQUIRES_INVALID_FIELDS", 'Cannot query field "nope" on type "T"'
    )


def test_unused_external(apollo) -> None:
    a = FED2 + 'type Query { t: T } type T @key(fields: "id") { id: ID! w: Int @external }'
    b = FED2 + 'type T @key(fields: "id") { id: ID! w: Int }'
    assert_fails_like_apollo(
        apollo, {"a": a, "b": b}, "EXTERNAL_UNUSED", "[a]", 'Field "T.w" is marked @external'
    )


def test_provides_on_a_scalar_field(apollo) -> None:
    a = FED2 + 'type Query { n: Int @provides(fields: "x") }'
    assert_fails_like_apollo(
        apollo, {"a": a}, "PROVIDES_ON_NON_OBJECT_FIELD", 'field "Query.n"', "not a Composite Type"
    )

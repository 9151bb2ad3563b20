"""@key field sets must select existing, argument-free, non-abstract fields."""

from apollo_reference import FED2, assert_fails_like_apollo


def test_key_selects_an_interface(apollo) -> None:
    a = FED2 + (
        "type Query { t: T } interface Node { id: ID! } type N implements Node { id: ID! }"
        ' type T @key(fields: "node { id }") { node: Node! }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a},
        "KEY_FIELDS_SELECT_INVALID_TYPE",
        '[a] On type "T", for @key(fields: "node { id }")',
        'field "T.node" is a Interface type which is not allowed in @key',
    )


def test_key_selects_an_unknown_field(apollo) -> None:
    a = FED2 + 'type Query { t: T } type T @key(fields: "upc") { id: ID! }'
    assert_fails_like_apollo(
        apollo,
        {"a": a},
        "KEY_INVALID_FIELDS",
        '[a] On type "T", for @key(fields: "upc")',
        'Cannot query field "upc" on type "T"',
    )


def test_key_field_with_arguments(apollo) -> None:
    a = FED2 + 'type Query { t: T } type T @key(fields: "id") { id(v: Int): ID! }'
    assert_fails_like_apollo(
        apollo, {"a": a}, "KEY_FIELDS_HAS_ARGS", "field T.id cannot be included"
    )

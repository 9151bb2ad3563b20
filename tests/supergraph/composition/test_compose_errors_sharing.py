"""A field resolved by several subgraphs must be @shareable everywhere."""

from apollo_reference import FED2, assert_fails_like_apollo


def test_non_shareable_field_in_two_subgraphs(apollo) -> None:
    a = FED2 + 'type Query { t: T @shareable } type T @key(fields: "id") { id: ID! name: String }'
    b = FED2 + 'type Query { t: T @shareable } type T @key(fields: "id") { id: ID! name: String }'
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "INVALID_FIELD_SHARING",
        'Non-shareable field "T.name"',
        'resolved from subgraphs "a" and "b"',
        "non-shareable in all of them",
    )


def test_names_only_the_non_shareable_subgraph(apollo) -> None:
    a = FED2 + "type Query { count: Int @shareable }"
    b = FED2 + "type Query { count: Int }"
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "INVALID_FIELD_SHARING",
        'Non-shareable field "Query.count"',
        'defined as non-shareable in subgraph "b"',
    )

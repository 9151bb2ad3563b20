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


def test_shareable_subscription_field_in_a_single_subgraph(apollo) -> None:
    a = FED2 + (
        "type Query { x: Int } type Subscription { orderChanged(id: ID!): Order @shareable }"
        ' type Order @key(fields: "id") { id: ID! status: String }'
    )
    b = FED2 + 'type Order @key(fields: "id") { id: ID! total: Float }'
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "INVALID_FIELD_SHARING",
        "Fields on root level subscription object cannot be marked as shareable",
    )


def test_external_field_provided_through_a_nested_provides_is_resolved_there(apollo) -> None:
    # `vendor { name }` makes b resolve its external Vendor.name (implicitly shareable there)
    a = FED2 + (
        'type Query { p: Product } type Product @key(fields: "id") { id: ID!'
        " vendor: Vendor @shareable } type Vendor { name: String }"
    )
    b = FED2 + (
        'type Query { review: Review } type Review @key(fields: "id") { id: ID!'
        ' product: Product @provides(fields: "vendor { name }") }'
        ' type Product @key(fields: "id") { id: ID! vendor: Vendor @external }'
        " type Vendor { name: String @external }"
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "INVALID_FIELD_SHARING",
        'Non-shareable field "Vendor.name" is resolved from multiple subgraphs: it is resolved '
        'from subgraphs "a" and "b" and defined as non-shareable in subgraph "a"',
    )

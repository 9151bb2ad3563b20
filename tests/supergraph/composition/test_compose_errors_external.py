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


def test_federation1_provides_of_an_object_field_without_selection(apollo) -> None:
    # the upgrade drops non-external @provides fields only from a valid selection
    a = 'type Query { me: User } type User @key(fields: "id") { id: ID! username: String }'
    b = (
        "extend type Query { topReviews: [Review] }"
        " type Review { id: ID! body: String author: User }"
        ' extend type User @key(fields: "id") { id: ID! @external'
        ' reviews: [Review] @provides(fields: "author") }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "PROVIDES_INVALID_FIELDS",
        '[b] On field "User.reviews", for @provides(fields: "author"): Invalid empty selection '
        'set for field "Review.author" of non-leaf type User',
    )


def test_provides_on_an_external_field(apollo) -> None:
    a = FED2 + (
        'type Query { r: Review } type Review @key(fields: "id") { id: ID!'
        ' author: User @external @provides(fields: "name") }'
        ' type User @key(fields: "id") { id: ID! name: String @external }'
    )
    b = FED2 + (
        'type Review @key(fields: "id") { id: ID! author: User }'
        ' type User @key(fields: "id") { id: ID! name: String @shareable }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "EXTERNAL_COLLISION_WITH_ANOTHER_DIRECTIVE",
        '[a] Cannot have both @provides and @external on field "Review.author"',
    )


def test_provides_a_field_with_arguments(apollo) -> None:
    a = FED2 + (
        'type Query { p: Product @provides(fields: "weight") }'
        ' type Product @key(fields: "id") { id: ID! weight(unit: String): Int @external }'
    )
    b = FED2 + 'type Product @key(fields: "id") { id: ID! weight(unit: String): Int @shareable }'
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "PROVIDES_FIELDS_HAS_ARGS",
        '[a] On field "Query.p", for @provides(fields: "weight"): field Product.weight cannot '
        "be included because it has arguments (fields with argument are not allowed in "
        "@provides)",
    )


def test_requires_a_field_without_its_mandatory_argument(apollo) -> None:
    a = FED2 + (
        'type Query { p: Product } type Product @key(fields: "id") { id: ID!'
        " cost(zone: String!): Int }"
    )
    b = FED2 + (
        'type Product @key(fields: "id") { id: ID! cost(zone: String!): Int @external'
        ' size: Int @requires(fields: "cost") }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "REQUIRES_INVALID_FIELDS",
        '[b] On field "Product.size", for @requires(fields: "cost"): Missing mandatory value '
        'for argument "zone" of field "Product.cost" in selection "cost"',
    )


def test_external_on_an_interface_field(apollo) -> None:
    a = FED2 + (
        "type Query { n: Named } interface Named { other: String @external }"
        ' type B implements Named @key(fields: "id") { id: ID! other: String }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a},
        "EXTERNAL_ON_INTERFACE",
        '[a] Interface type field "Named.other" is marked @external but @external is not '
        "allowed on interface fields (it is nonsensical).",
    )

"""Fields that no query plan can reach are reported with the unplannable query."""

from apollo_reference import FED2, assert_fails_like_apollo, ours


def test_value_type_field_only_in_another_subgraph(apollo) -> None:
    a = FED2 + "type Query { shop: Shop @shareable } type Shop @shareable { address: Address }"
    a += " type Address { line: String @shareable }"
    b = FED2 + "type Query { shop: Shop @shareable } type Shop @shareable { name: String }"
    b += " type Address { line: String @shareable zip: String }"
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "SATISFIABILITY_ERROR",
        "{\n  shop {\n    address {\n      zip\n    }\n  }\n}",
        'from subgraph "a"',
        'cannot find field "Address.zip"',
        'because type "Address" has no @key defined in subgraph "b"',
    )


def test_entity_without_resolvable_key(apollo) -> None:
    a = FED2 + 'type Query { u: User } type User @key(fields: "id") { id: ID! }'
    b = FED2 + 'type User @key(fields: "id", resolvable: false) { id: ID! name: String }'
    assert_fails_like_apollo(
        apollo, {"a": a, "b": b}, "SATISFIABILITY_ERROR", 'cannot find field "User.name"'
    )


def test_overridden_key_field_blocks_the_jump(apollo) -> None:
    a = FED2 + 'type Query { t: T } type T @key(fields: "id") { id: ID! name: String }'
    b = FED2 + (
        'type T @key(fields: "id") { id: ID! @override(from: "a")'
        ' name: String @override(from: "a") }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "SATISFIABILITY_ERROR",
        "{\n  t {\n    id\n  }\n}",
        'from subgraph "a"',
    )


def test_type_level_external_makes_every_field_external(apollo) -> None:
    a = FED2 + (
        'type Query { review: Review } type Review @key(fields: "id") { id: ID! }'
        ' type Author @key(fields: "id") { id: ID! name: String @shareable }'
    )
    b = FED2 + (
        'type Review @key(fields: "id") { id: ID! author: Author @provides(fields: "name") }'
        ' type Author @key(fields: "id") { id: ID! } extend type Author @external { name: String }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "SATISFIABILITY_ERROR",
        "{\n  review {\n    author {\n      id\n    }\n  }\n}",
        'from subgraph "b"',
    )


def test_shared_abstract_field_without_a_common_runtime_type(apollo) -> None:
    a = FED2 + "interface Node { id: ID! } type Query { node(id: ID!): Node @shareable }"
    b = FED2 + (
        "interface Node { id: ID! } type Query { node(id: ID!): Node @shareable }"
        " type Post implements Node { id: ID! title: String }"
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES",
        'Shared field "Query.node" return type "Node" has a non-intersecting set',
        ' - in subgraph "a", no runtime type is defined;\n - in subgraph "b", type "Post".',
    )


def test_shared_list_of_abstract_type_without_a_common_runtime_type(apollo) -> None:
    """The message names the field's whole type (`[Node!]!`), as Apollo's does."""
    a = FED2 + "interface Node { id: ID! } type Query { nodes: [Node!]! @shareable }"
    b = FED2 + (
        "interface Node { id: ID! } type Query { nodes: [Node!]! @shareable }"
        " type Post implements Node { id: ID! title: String }"
    )
    sdls = {"a": a, "b": b}
    assert_fails_like_apollo(
        apollo,
        sdls,
        "SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES",
        'Shared field "Query.nodes" return type "[Node!]!" has a non-intersecting set',
    )
    mine = [str(e) for e in ours(sdls).errors]
    assert mine == [apollo(sdls).stderr.strip()]


def test_shared_abstract_field_with_a_common_runtime_type_composes(apollo) -> None:
    a = FED2 + (
        "interface Node { id: ID! } type Query { node(id: ID!): Node @shareable }"
        " type Post implements Node @shareable { id: ID! }"
    )
    b = FED2 + (
        "interface Node { id: ID! } type Query { node(id: ID!): Node @shareable }"
        " type Post implements Node @shareable { id: ID! }"
        " type Page implements Node { id: ID! }"
    )
    sdls = {"a": a, "b": b}
    assert apollo(sdls).supergraph_sdl is not None
    assert ours(sdls).supergraph_sdl is not None


def test_federation1_external_key_field_on_a_type_definition(apollo) -> None:
    # the upgrade un-externals key fields of extensions only; here no subgraph resolves id
    a = 'type Query { me: User } type User @key(fields: "id") { id: ID! @external name: String }'
    b = FED2 + 'type User @key(fields: "id") { id: ID! name: String @shareable age: Int }'
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "SATISFIABILITY_ERROR",
        'field "User.id" is not resolvable because marked @external.',
    )

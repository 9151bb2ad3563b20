"""Subgraphs that are not valid GraphQL are rejected with the subgraph named."""

from apollo_reference import FED2, assert_fails_like_apollo, ours

from supergraph.composition.compare import supergraph_differences


def test_unknown_type(apollo) -> None:
    assert_fails_like_apollo(
        apollo, {"a": FED2 + "type Query { x: Missing }"}, "INVALID_GRAPHQL", "[a]", "Missing"
    )


def test_unknown_directive(apollo) -> None:
    sdl = FED2 + "type Query { x: Int @nope }"
    assert_fails_like_apollo(apollo, {"a": sdl}, "INVALID_GRAPHQL", "[a]", "nope")


def test_federation1_extension_without_base(apollo) -> None:
    a = 'type Query { t: T } extend type T @key(fields: "id") { id: ID! @external a: Int }'
    b = 'extend type T @key(fields: "id") { id: ID! @external b: Int }'
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "EXTENSION_WITH_NO_BASE",
        '[a] Type "T" is an extension type, but there is no type definition for "T"',
    )


def test_federation2_extension_without_base(apollo) -> None:
    a = FED2 + 'type Query { t: T } extend type T @key(fields: "id") { id: ID! a: Int }'
    b = FED2 + 'extend type T @key(fields: "id") { id: ID! b: Int }'
    assert_fails_like_apollo(
        apollo, {"a": a, "b": b}, "EXTENSION_WITH_NO_BASE", '[a] Type "T" is an extension type'
    )


def test_federation1_provides_on_a_scalar_field_is_dropped_like_apollo(apollo) -> None:
    # federation 1 ignored such a @provides; Apollo's upgrade removes it rather than fail
    a = (
        'type Query { reviews: [Review] } type Review @key(fields: "id") { id: ID!'
        ' headline: String @provides(fields: "name") product: Product }'
        ' extend type Product @key(fields: "upc") { upc: String! @external }'
    )
    b = 'type Product @key(fields: "upc") { upc: String! name: String }'
    sdls = {"a": a, "b": b}
    theirs = apollo(sdls).supergraph_sdl
    result = ours(sdls)
    assert theirs is not None
    assert result.errors == [] and result.supergraph_sdl is not None
    assert supergraph_differences(result.supergraph_sdl, theirs) == []


def test_unknown_directive_on_the_service_field(apollo) -> None:
    # `_service` is federation machinery we drop, but Apollo still validates it
    sdl = FED2 + ("type Query { _service: _Service! @nope x: Int } type _Service { sdl: String! }")
    assert_fails_like_apollo(apollo, {"a": sdl}, "INVALID_GRAPHQL", "[a]", "@nope")

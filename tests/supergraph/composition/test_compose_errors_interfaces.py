"""Every implementation must have the fields its interfaces declare, in the supergraph."""

from apollo_reference import FED2, assert_fails_like_apollo, ours

from supergraph.composition.compare import supergraph_differences


def test_implementation_missing_an_interface_field(apollo) -> None:
    a = FED2 + (
        "type Query { items: [Item!]! } interface Item { id: ID! title: String }"
        ' type Book implements Item @key(fields: "id") { id: ID! title: String }'
    )
    b = FED2 + (
        'interface Item { id: ID! } type Film implements Item @key(fields: "id") { id: ID! }'
        " type Query { films: [Film] }"
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "INTERFACE_FIELD_NO_IMPLEM",
        'Interface field "Item.title" is declared in subgraph "a" but type "Film", which '
        'implements "Item" only in subgraph "b" does not have field "title".',
    )


def test_interface_object_without_an_interface_anywhere(apollo) -> None:
    a = FED2 + 'type Query { m: Media } type Media @key(fields: "id") @interfaceObject { id: ID! }'
    assert_fails_like_apollo(
        apollo,
        {"a": a},
        "INTERFACE_OBJECT_USAGE_ERROR",
        'Type "Media" is declared with @interfaceObject in all the subgraphs',
    )


def test_interface_object_field_also_on_an_implementation(apollo) -> None:
    media = FED2 + (
        'type Query { media: [Media!]! } interface Media @key(fields: "id") { id: ID! }'
        ' type Book implements Media @key(fields: "id") { id: ID! likes: Int }'
    )
    social = FED2 + 'type Media @key(fields: "id") @interfaceObject { id: ID! likes: Int }'
    assert_fails_like_apollo(
        apollo,
        {"media": media, "social": social},
        "INVALID_FIELD_SHARING",
        'Non-shareable field "Book.likes" is resolved from multiple subgraphs: it is resolved '
        'from subgraphs "media" and "social" (through @interfaceObject field "Media.likes")',
    )


def _composes_like_apollo(apollo, sdls: dict[str, str]) -> None:
    theirs = apollo(sdls)
    result = ours(sdls)
    assert theirs.supergraph_sdl is not None, theirs.stderr
    assert result.supergraph_sdl is not None, [str(e) for e in result.errors]
    assert supergraph_differences(result.supergraph_sdl, theirs.supergraph_sdl) == []


def test_federation1_requires_and_provides_on_interface_fields_are_ignored(apollo) -> None:
    # federation 1 ignored them; Apollo's upgrade drops them, even with a bad selection
    a = (
        'type Query { me: User } type User @key(fields: "id") { id: ID! name: String }'
        ' interface Node { id: ID! @requires(fields: "id { me }") p: User'
        ' @provides(fields: "name") }'
    )
    b = 'extend type User @key(fields: "id") { id: ID! @external nick: String }'
    _composes_like_apollo(apollo, {"a": a, "b": b})


def test_requires_on_an_interface_field(apollo) -> None:
    a = FED2 + (
        'type Query { me: User } type User @key(fields: "id") { id: ID! }'
        ' interface Node { id: ID! other: String @requires(fields: "id") }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a},
        "REQUIRES_UNSUPPORTED_ON_INTERFACE",
        '[a] Cannot use @requires on field "Node.other" of parent type "Node": @requires is '
        "not yet supported within interfaces",
    )


def test_provides_on_an_interface_field(apollo) -> None:
    a = FED2 + (
        'type Query { me: User } type User @key(fields: "id") { id: ID! name: String }'
        ' interface Node { id: ID! p: User @provides(fields: "name") }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a},
        "PROVIDES_UNSUPPORTED_ON_INTERFACE",
        '[a] Cannot use @provides on field "Node.p" of parent type "Node": @provides is '
        "not yet supported within interfaces",
    )


def test_interface_key_missing_on_an_implementation(apollo) -> None:
    a = FED2 + (
        'type Query { node(id: ID!): Node } interface Node @key(fields: "id") { id: ID! }'
        ' type A implements Node @key(fields: "id") { id: ID! }'
        " type B implements Node { id: ID! } type C implements Node { id: ID! }"
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a},
        "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
        '[a] Key @key(fields: "id") on interface type "Node" is missing on implementation '
        'types "B" and "C".',
    )


def test_interface_key_not_resolvable_on_an_implementation(apollo) -> None:
    a = FED2 + (
        'type Query { node(id: ID!): Node } interface Node @key(fields: "id") { id: ID! }'
        ' type Account implements Node @key(fields: "id", resolvable: false) { id: ID! }'
    )
    b = FED2 + 'type Node @key(fields: "id") @interfaceObject { id: ID! createdAt: String }'
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
        '[a] Key @key(fields: "id") on interface type "Node" should be resolvable on all '
        'implementation types, but is declared with argument "@key(resolvable:)" set to false '
        'in type "Account".',
    )


def test_external_implementation_field_resolved_by_an_interface_object(apollo) -> None:
    # B.other is @external wherever B lists it, but the @interfaceObject resolves it
    a = FED2 + (
        'type Query { nodes: [Node] } interface Node @key(fields: "id") { id: ID! }'
        ' type B implements Node & Named @key(fields: "id") { id: ID! other: String @external'
        " @shareable } interface Named { other: String }"
    )
    b = FED2 + 'type Node @key(fields: "id") @interfaceObject { id: ID! other: String @shareable }'
    _composes_like_apollo(apollo, {"a": a, "b": b})


def test_interface_object_field_missing_on_an_implementing_interface(apollo) -> None:
    # only the @interfaceObject declares Node.score: Apollo names no declaring subgraph
    a = FED2 + (
        'type Query { n: Named } interface Node @key(fields: "id") { id: ID! }'
        " interface Named implements Node { id: ID! name: String }"
        ' type Cat implements Named & Node @key(fields: "id") { id: ID! name: String }'
    )
    b = FED2 + (
        'type Node @key(fields: "id") @interfaceObject { id: ID! score: Int }'
        " type Query { top: Node }"
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "INTERFACE_FIELD_NO_IMPLEM",
        'Interface field "Node.score" is declared in  but type "Named", which implements '
        '"Node" only in subgraph "a" does not have field "score".',
    )


def test_shareable_on_an_interface_field(apollo) -> None:
    a = FED2 + "type Query { n: Node } interface Node { id: ID! @shareable }"
    assert_fails_like_apollo(
        apollo,
        {"a": a},
        "INVALID_SHAREABLE_USAGE",
        '[a] Invalid use of @shareable on field "Node.id": only object type fields can be '
        "marked with @shareable",
    )


def test_interface_object_without_a_key(apollo) -> None:
    media = FED2 + (
        'type Query { media: [Media!]! } interface Media @key(fields: "id") { id: ID! }'
        ' type Book implements Media @key(fields: "id") { id: ID! }'
    )
    social = FED2 + (
        "type Media @interfaceObject { id: ID! likes: Int } type Query { top: [Media!]! }"
    )
    assert_fails_like_apollo(
        apollo,
        {"media": media, "social": social},
        "INTERFACE_OBJECT_USAGE_ERROR",
        "[social] The @interfaceObject directive can only be applied to entity types but type "
        '"Media" has no @key in this subgraph.',
    )


def test_interface_object_field_external_everywhere(apollo) -> None:
    media = FED2 + (
        'type Query { media: [Media!]! } interface Media @key(fields: "id") { id: ID! }'
        ' type Book implements Media @key(fields: "id") { id: ID! }'
    )
    stock = FED2 + (
        'type Media @key(fields: "id") @interfaceObject { id: ID! stock: Int! @external'
        ' left: Int @requires(fields: "stock") }'
    )
    assert_fails_like_apollo(
        apollo,
        {"media": media, "stock": stock},
        "EXTERNAL_MISSING_ON_BASE",
        'Field "Media.stock" is marked @external on all the subgraphs in which it is listed '
        '(subgraph "stock").',
    )

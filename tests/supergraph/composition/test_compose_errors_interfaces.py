"""Every implementation must have the fields its interfaces declare, in the supergraph."""

from apollo_reference import FED2, assert_fails_like_apollo


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

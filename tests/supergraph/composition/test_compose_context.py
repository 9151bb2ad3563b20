"""@context / @fromContext: the supergraph drops the contextual argument and records it in
`@join__field(contextArguments:)`; misuse fails with Apollo's codes and messages."""

from __future__ import annotations

from apollo_reference import assert_fails_like_apollo, ours

from supergraph.composition.compare import supergraph_differences

HEADER = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: ["@key",'
    ' "@context", "@fromContext", "@shareable"])\n'
)


def shop(
    context: str = '@context(name: "shop")',
    argument: str = 'currency: String @fromContext(field: "$shop { currency }")',
    key: str = '@key(fields: "id")',
    extra: str = "",
) -> str:
    return HEADER + (
        "type Query { shops: [Shop!]! }\n"
        f'type Shop @key(fields: "id") {context} {{ id: ID! currency: String! '
        "products: [Product!]! }\n"
        f"type Product {key} {{ id: ID! price({argument}, cents: Boolean): Int }}\n{extra}"
    )


def test_supergraph_drops_the_argument_and_records_the_context() -> None:
    result = ours({"shops": shop()})
    assert result.errors == []
    sdl = result.supergraph_sdl
    assert sdl is not None
    assert '@link(url: "https://specs.apollo.dev/context/v0.1", for: SECURITY)' in sdl
    assert "directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION" in sdl
    assert "scalar context__ContextFieldValue" in sdl
    assert '@context(name: "shops__shop")' in sdl
    assert (
        "price(cents: Boolean): Int @join__field(graph: SHOPS, contextArguments: [{context: "
        '"shops__shop", name: "currency", type: "String", selection: " { currency }"}])'
    ) in sdl


def test_compare_sees_context_metadata() -> None:
    sdl = ours({"shops": shop()}).supergraph_sdl
    assert sdl is not None
    without_context = sdl.replace('  @context(name: "shops__shop")\n', "")
    other_selection = sdl.replace('selection: " { currency }"', 'selection: " { id }"')
    assert supergraph_differences(without_context, sdl) != []
    assert supergraph_differences(other_selection, sdl) != []
    reordered = sdl.replace(
        '{context: "shops__shop", name: "currency", type: "String", selection: " { currency }"}',
        '{name: "currency", selection: " { currency }", context: "shops__shop", type: "String"}',
    )
    assert reordered != sdl and supergraph_differences(reordered, sdl) == []


def test_context_name_with_underscore(apollo) -> None:
    sdls = {
        "a": shop(
            '@context(name: "my_shop")',
            'currency: String @fromContext(field: "$my_shop { currency }")',
        )
    }
    assert_fails_like_apollo(
        apollo,
        sdls,
        "CONTEXT_NAME_INVALID",
        '[a] Context name "my_shop" may not contain an underscore.',
    )


def test_context_name_not_alphanumeric(apollo) -> None:
    sdls = {"a": shop('@context(name: "1shop")')}
    assert_fails_like_apollo(
        apollo,
        sdls,
        "CONTEXT_NAME_INVALID",
        'Context name "1shop" is invalid. It should have only alphanumeric characters.',
    )


def test_context_never_set(apollo) -> None:
    sdls = {"a": shop(argument='currency: String @fromContext(field: "$store { currency }")')}
    assert_fails_like_apollo(
        apollo,
        sdls,
        "CONTEXT_NOT_SET",
        '[a] Context "store" is used at location "Product.price(currency:)" but is never set.',
    )


def test_contextual_argument_with_default(apollo) -> None:
    sdls = {
        "a": shop(argument='currency: String = "EUR" @fromContext(field: "$shop { currency }")')
    }
    assert_fails_like_apollo(
        apollo,
        sdls,
        "CONTEXT_NOT_SET",
        '@fromContext arguments may not have a default value: "Product.price(currency:)".',
    )


def test_contextual_argument_on_interface_field(apollo) -> None:
    extra = (
        'interface Priced { price(currency: String @fromContext(field: "$shop { currency }")): '
        "Int }"
    )
    assert_fails_like_apollo(
        apollo,
        {"a": shop(extra=extra)},
        "CONTEXT_NOT_SET",
        "@fromContext argument cannot be used on a field that exists on an abstract type "
        '"Priced.price(currency:)".',
    )


def test_contextual_argument_on_directive_definition(apollo) -> None:
    extra = 'directive @d(x: String @fromContext(field: "$shop { currency }")) on FIELD_DEFINITION'
    assert_fails_like_apollo(
        apollo,
        {"a": shop(extra=extra)},
        "CONTEXT_NOT_SET",
        '@fromContext argument cannot be used on a directive definition "@d(x:)".',
    )


def test_selection_without_context(apollo) -> None:
    sdls = {"a": shop(argument='currency: String @fromContext(field: "{ currency }")')}
    assert_fails_like_apollo(
        apollo,
        sdls,
        "NO_CONTEXT_IN_SELECTION",
        '@fromContext argument does not reference a context "{ currency }".',
    )


def test_no_resolvable_key(apollo) -> None:
    sdls = {"a": shop(key='@key(fields: "id", resolvable: false)')}
    assert_fails_like_apollo(
        apollo,
        sdls,
        "CONTEXT_NO_RESOLVABLE_KEY",
        'Object "Product" has no resolvable key but has a field with a contextual argument.',
    )


def test_selection_type_mismatch(apollo) -> None:
    sdls = {"a": shop(argument='currency: String! @fromContext(field: "$shop { currency }")')}
    assert_fails_like_apollo(
        apollo,
        sdls,
        "CONTEXT_INVALID_SELECTION",
        'Context "shop" is used in "Product.price(currency:)" but the selection is invalid: the '
        'type of the selection "String" does not match the expected type "String!"',
    )


def test_selection_of_unknown_field(apollo) -> None:
    sdls = {"a": shop(argument='currency: String @fromContext(field: "$shop { money }")')}
    assert_fails_like_apollo(
        apollo,
        sdls,
        "CONTEXT_INVALID_SELECTION",
        'the selection is invalid for type Shop. Error: Cannot query field "money" on type "Shop".',
    )


def test_selection_of_two_fields(apollo) -> None:
    sdls = {"a": shop(argument='currency: String @fromContext(field: "$shop { currency id }")')}
    assert_fails_like_apollo(
        apollo, sdls, "CONTEXT_INVALID_SELECTION", "multiple selections are made"
    )


def test_type_condition_never_used(apollo) -> None:
    argument = (
        'currency: String @fromContext(field: "$shop ... on Shop { currency } '
        '... on Product { id }")'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": shop(argument=argument)},
        "CONTEXT_INVALID_SELECTION",
        'type condition "Product" is never used.',
    )


def test_required_argument_not_contextual_elsewhere(apollo) -> None:
    other = HEADER + 'type Product @key(fields: "id") { id: ID! price(currency: String!): Int }'
    assert_fails_like_apollo(
        apollo,
        {"a": shop(), "b": other},
        "CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS",
        'Argument "Product.price(currency:)" is contextual in at least one subgraph but in '
        '"Product.price(currency:)" it does not have @fromContext, is not nullable and has no '
        "default value.",
    )


def test_context_not_set_on_the_path(apollo) -> None:
    extra = "type Other { product: Product }\nextend type Query { other: Other }"
    assert_fails_like_apollo(
        apollo,
        {"a": shop(extra=extra)},
        "SATISFIABILITY_ERROR",
        'could not find a match for required context for field "Product.price"',
    )


def test_context_needs_federation_2_8(apollo) -> None:
    sdls = {"a": shop().replace("v2.8", "v2.7")}
    assert_fails_like_apollo(
        apollo,
        sdls,
        "INVALID_LINK_DIRECTIVE_USAGE",
        '[a] Cannot import unknown element "@context".',
    )

"""Satisfiability looks inside key, `@requires` and `@provides` selections: a nested key
field must be available where the plan is, every nested required path resolvable from
the requiring subgraph, and provided fields only below the providing field."""

import pytest
from apollo_reference import FED2, assert_fails_like_apollo, ours

from supergraph.composition.compare import supergraph_differences

USER_WITH_ORG = FED2 + (
    'type Query { u: U } type U @key(fields: "id") { id: ID! org: Org @shareable }'
    " type Org @shareable { {ORG_FIELDS} }"
)
KEYED_BY_ORG = FED2 + (
    'type U @key(fields: "org { id }") { org: Org @shareable extra: String }'
    " type Org @shareable { id: ID! @inaccessible name: String }"
)


def test_nested_key_field_missing_where_the_plan_is(apollo) -> None:
    sdls = {"a": USER_WITH_ORG.replace("{ORG_FIELDS}", "name: String"), "b": KEYED_BY_ORG}
    assert_fails_like_apollo(
        apollo,
        sdls,
        "SATISFIABILITY_ERROR",
        "{\n  u {\n    extra\n  }\n}",
        'because the key field(s) of @key(fields: "org { id }") on "U" cannot be resolved '
        'from subgraph "a"',
    )


SHIPPING = FED2 + (
    'type P @key(fields: "id") { id: ID! @shareable dims: Dims @external'
    ' ship: Int @requires(fields: "dims { w h }") } type Dims @shareable { w: Int h: Int }'
)
PRODUCTS = FED2 + (
    'type Query { p: P @shareable } type P @key(fields: "id") { id: ID! @shareable'
    " dims: Dims @shareable } type Dims @shareable { w: Int }"
)
# Also answers `dims { w h }`, but is reachable from "b" only if keyed by `id`.
SIZES = FED2 + (
    'type Query { p: P @shareable } type P @key(fields: "{KEY}") { sku: ID! id: ID! @shareable'
    " dims: Dims @shareable } type Dims @shareable { w: Int h: Int }"
)


def test_nested_required_field_not_reachable_from_the_requiring_subgraph(apollo) -> None:
    sdls = {"a": PRODUCTS, "b": SHIPPING, "c": SIZES.replace("{KEY}", "sku")}
    assert_fails_like_apollo(
        apollo,
        sdls,
        "SATISFIABILITY_ERROR",
        "{\n  p {\n    ship\n  }\n}",
        'cannot satisfy @require conditions on field "P.ship" in subgraph "b"',
    )


PROVIDER = FED2 + (
    'type Query { top: [P] @provides(fields: "name") {MORE} }'
    ' type P @key(fields: "id") { id: ID! name: String @external }'
)
OWNER = FED2 + 'type P @key(fields: "id", resolvable: false) { id: ID! name: String @shareable }'


def test_provided_field_is_not_available_outside_the_providing_field(apollo) -> None:
    sdls = {"a": PROVIDER.replace("{MORE}", "one: P"), "b": OWNER}
    assert_fails_like_apollo(
        apollo,
        sdls,
        "SATISFIABILITY_ERROR",
        "{\n  one {\n    name\n  }\n}",
        'field "P.name" is not resolvable because marked @external.',
    )


def test_provided_field_is_not_available_beside_the_providing_field(apollo) -> None:
    a = FED2 + (
        'type Query { top: [R] } type R @key(fields: "id") { id: ID!'
        ' p: P @provides(fields: "name") other: P }'
        ' type P @key(fields: "id") { id: ID! name: String @external }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": OWNER},
        "SATISFIABILITY_ERROR",
        "{\n  top {\n    other {\n      name\n    }\n  }\n}",
    )


ACCEPTED = {
    "nested key field available where the plan is": {
        "a": USER_WITH_ORG.replace("{ORG_FIELDS}", "id: ID! @inaccessible name: String"),
        "b": KEYED_BY_ORG,
    },
    "nested requirement reachable through a key": {
        "a": PRODUCTS,
        "b": SHIPPING,
        "c": SIZES.replace("{KEY}", "id"),
    },
    "provided field below the providing field": {"a": PROVIDER.replace("{MORE}", ""), "b": OWNER},
    "nested provides": {
        "a": FED2
        + (
            'type Query { top: [R] @provides(fields: "p { name }") }'
            ' type R @key(fields: "id") { id: ID! p: P @external }'
            ' type P @key(fields: "id") { id: ID! name: String @external }'
        ),
        "b": FED2
        + (
            'type R @key(fields: "id") { id: ID! p: P @shareable }'
            ' type P @key(fields: "id", resolvable: false) { id: ID! name: String @shareable }'
        ),
    },
}


@pytest.mark.parametrize("sdls", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_satisfiable_conditions_compose_like_apollo(sdls: dict[str, str], apollo) -> None:
    reference = apollo(sdls)
    assert reference.supergraph_sdl is not None, reference.stderr
    result = ours(sdls)
    assert result.supergraph_sdl is not None, [str(e) for e in result.errors]
    assert supergraph_differences(result.supergraph_sdl, reference.supergraph_sdl) == []

"""@override must name another subgraph, and only one side may override."""

from apollo_reference import FED2, assert_fails_like_apollo


def test_override_from_self(apollo) -> None:
    a = (
        FED2
        + 'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @override(from: "a") }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a},
        "OVERRIDE_FROM_SELF_ERROR",
        'Source and destination subgraphs "a" are the same for overridden field "T.x"',
    )


def test_both_sides_override(apollo) -> None:
    a = (
        FED2
        + 'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @override(from: "b") }'
    )
    b = FED2 + 'type T @key(fields: "id") { id: ID! x: Int @override(from: "a") }'
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "OVERRIDE_SOURCE_HAS_OVERRIDE",
        'Field "T.x" on subgraph',
        "Only one @override directive is allowed per field.",
    )

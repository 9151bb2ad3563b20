"""@cost / @listSize: carried and merged like Apollo; misuse fails with Apollo's codes."""

from __future__ import annotations

import pytest
from apollo_reference import assert_fails_like_apollo, ours

HEADER = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", '
    '"@cost", "@listSize", "@shareable"])\n'
)


def graph(field: str) -> dict[str, str]:
    return {
        "a": HEADER
        + f"type Query {{ {field} }}\ntype Conn {{ items: [Int] count: Int }}\n"
        + "interface I { x: Int }\ntype X implements I { x: Int }"
    }


def test_different_applications_are_merged() -> None:
    a = HEADER + (
        'type Query { f(first: Int): [Int] @listSize(assumedSize: 5, slicingArguments: ["first"])'
        " @cost(weight: 2) @shareable }"
    )
    b = HEADER + (
        "type Query { f(first: Int): [Int] @listSize(assumedSize: 9, requireOneSlicingArgument: "
        "false) @cost(weight: 1) @shareable }"
    )
    sdl = ours({"a": a, "b": b}).supergraph_sdl
    assert sdl is not None
    assert '@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])' in sdl
    assert (
        'f(first: Int): [Int] @listSize(assumedSize: 9, slicingArguments: ["first"], '
        "requireOneSlicingArgument: false) @cost(weight: 2)"
    ) in sdl


def test_cost_on_interface_field(apollo) -> None:
    a = HEADER + (
        "type Query { i: I }\ninterface I { x: Int @cost(weight: 2) }\n"
        "type X implements I { x: Int }"
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a},
        "COST_APPLIED_TO_INTERFACE_FIELD",
        '[a] @cost cannot be applied to interface "I.x"',
    )


@pytest.mark.parametrize(
    ("field", "code", "message"),
    [
        (
            "f: Int @listSize(assumedSize: 2)",
            "LIST_SIZE_APPLIED_TO_NON_LIST",
            '"Query.f" is not a list',
        ),
        (
            "f: [Int] @listSize(assumedSize: -1)",
            "LIST_SIZE_INVALID_ASSUMED_SIZE",
            'Assumed size of "Query.f" cannot be negative',
        ),
        (
            'f(first: Int): [Int] @listSize(slicingArguments: ["last"])',
            "LIST_SIZE_INVALID_SLICING_ARGUMENT",
            'Slicing argument "last" is not an argument of "Query.f"',
        ),
        (
            'f(first: String): [Int] @listSize(slicingArguments: ["first"])',
            "LIST_SIZE_INVALID_SLICING_ARGUMENT",
            'Slicing argument "Query.f(first:)" must be Int or Int!',
        ),
        (
            'f: [Int] @listSize(sizedFields: ["x"])',
            "LIST_SIZE_INVALID_SIZED_FIELD",
            'Sized fields cannot be used because "[Int]" is not a composite type',
        ),
        (
            'f: Conn @listSize(sizedFields: ["nope"])',
            "LIST_SIZE_INVALID_SIZED_FIELD",
            'Sized field "nope" is not a field on type "Conn"',
        ),
        (
            'f: Conn @listSize(sizedFields: ["count"])',
            "LIST_SIZE_APPLIED_TO_NON_LIST",
            'Sized field "Conn.count" is not a list',
        ),
    ],
)
def test_invalid_list_size(apollo, field: str, code: str, message: str) -> None:
    assert_fails_like_apollo(apollo, graph(field), code, f"[a] {message}")


def test_cost_needs_federation_2_9(apollo) -> None:
    a = HEADER.replace("v2.9", "v2.8") + "type Query { f: Int @cost(weight: 1) }"
    assert_fails_like_apollo(
        apollo, {"a": a}, "INVALID_LINK_DIRECTIVE_USAGE", 'Cannot import unknown element "@cost"'
    )

"""Enums and input objects merge by intersection where clients send them."""

from apollo_reference import FED2, assert_fails_like_apollo


def test_input_only_enum_with_nothing_in_common(apollo) -> None:
    a = FED2 + "type Query { f(e: E): Int } enum E { A }"
    b = FED2 + "type Query { g(e: E): Int } enum E { B }"
    assert_fails_like_apollo(
        apollo, {"a": a, "b": b}, "EMPTY_MERGED_ENUM_TYPE", 'None of the values of enum type "E"'
    )


def test_enum_used_both_ways_must_match(apollo) -> None:
    a = FED2 + "type Query { f(e: E): E } enum E { A B }"
    b = FED2 + "type Query { g: E } enum E { A }"
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "ENUM_VALUE_MISMATCH",
        'value "B" is not defined in all the subgraphs defining "E"',
        'is defined in subgraph "a" but not in subgraph "b"',
    )


def test_required_input_field_missing(apollo) -> None:
    a = FED2 + "type Query { f(i: In): Int } input In { x: Int! y: Int }"
    b = FED2 + "type Query { g(i: In): Int } input In { y: Int }"
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
        'Input object field "In.x" is required in some subgraphs',
        'required in subgraph "a" but does not appear in subgraph "b"',
    )


def test_input_with_no_common_field(apollo) -> None:
    a = FED2 + "type Query { f(i: In): Int } input In { x: Int }"
    b = FED2 + "type Query { g(i: In): Int } input In { y: Int }"
    assert_fails_like_apollo(
        apollo, {"a": a, "b": b}, "EMPTY_MERGED_INPUT_TYPE", 'input object type "In"'
    )

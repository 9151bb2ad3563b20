"""@authenticated / @requiresScopes / @policy: carried, merged and derived like Apollo."""

from __future__ import annotations

from apollo_reference import assert_fails_like_apollo, ours

from supergraph.composition.applications import dnf_conjunction


def header(version: str = "2.6", extra: str = "") -> str:
    return (
        f'extend schema @link(url: "https://specs.apollo.dev/federation/v{version}", import: '
        '["@key", "@authenticated", "@requiresScopes", "@policy", "@shareable", '
        f'"@interfaceObject", "@external", "@requires"{extra}])\n'
    )


def test_requirements_from_several_subgraphs_must_all_hold() -> None:
    assert dnf_conjunction([[["a", "b"], ["c"]], [["d"], ["a"]]]) == [
        ["a", "b"],
        ["a", "c"],
        ["c", "d"],
    ]
    assert dnf_conjunction([[["x"]], []]) == [["x"]]


def test_interface_gets_its_implementations_requirements() -> None:
    a = header() + (
        "type Query { nodes: [Node] }\ninterface Node { id: ID! }\n"
        'type A implements Node @authenticated { id: ID! @requiresScopes(scopes: [["r"]]) }\n'
        'type B implements Node @policy(policies: [["p"]]) { id: ID! }'
    )
    sdl = ours({"a": a}).supergraph_sdl
    assert sdl is not None
    interface = sdl[sdl.index("interface Node") :]
    interface = interface[: interface.index("}")]
    assert '@authenticated\n  @policy(policies: [["p"]])' in interface
    assert 'id: ID! @requiresScopes(scopes: [["r"]])' in interface


def test_not_on_interfaces(apollo) -> None:
    a = (
        header()
        + "type Query { n: N }\ninterface N @authenticated { id: ID! }\n"
        + "type X implements N { id: ID! }"
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a},
        "AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE",
        '[a] Invalid use of @authenticated on interface "N": @authenticated cannot be applied on '
        "interfaces, interface fields and interface objects",
    )


def test_not_on_interface_fields(apollo) -> None:
    a = header() + (
        'type Query { n: N }\ninterface N { id: ID! @requiresScopes(scopes: [["a"]]) }\n'
        "type X implements N { id: ID! }"
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a},
        "AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE",
        'Invalid use of @requiresScopes on field "N.id"',
    )


def test_not_on_interface_objects(apollo) -> None:
    a = header() + (
        'type Query { n: N }\ninterface N @key(fields: "id") { id: ID! }\n'
        'type X implements N @key(fields: "id") { id: ID! }'
    )
    b = header() + (
        'type N @key(fields: "id") @interfaceObject @policy(policies: [["p"]]) { id: ID! f: Int }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE",
        '[b] Invalid use of @policy on interface object "N"',
    )


def test_requires_reading_protected_data(apollo) -> None:
    a = header() + (
        'type Query { t: T }\ntype T @key(fields: "id") { id: ID! secret: String @authenticated }'
    )
    b = header() + (
        'type T @key(fields: "id") { id: ID! secret: String @external '
        'derived: String @requires(fields: "secret") }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "MISSING_TRANSITIVE_AUTH_REQUIREMENTS",
        '[b] Field "T.derived" does not specify necessary @authenticated, @requiresScopes and/or '
        '@policy auth requirements to access the transitive field "T.secret" data from @requires '
        "selection set.",
    )


def test_requires_with_stronger_requirements_composes(apollo) -> None:
    a = header() + (
        'type Query { t: T }\ntype T @key(fields: "id") { id: ID! '
        'secret: String @requiresScopes(scopes: [["a"]]) }'
    )
    b = header() + (
        'type T @key(fields: "id") { id: ID! secret: String @external derived: String '
        '@requires(fields: "secret") @requiresScopes(scopes: [["a", "b"]]) }'
    )
    assert ours({"a": a, "b": b}).errors == []
    assert apollo({"a": a, "b": b}).supergraph_sdl is not None


def test_context_reading_protected_type(apollo) -> None:
    a = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: ["@key", '
        '"@context", "@fromContext", "@policy"])\n'
        'type Query { s: S }\ntype S @key(fields: "id") @context(name: "s") '
        '@policy(policies: [["p"]]) { id: ID! v: String p: P }\n'
        'type P @key(fields: "id") { id: ID! f(x: String @fromContext(field: "$s { v }")): Int }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a},
        "MISSING_TRANSITIVE_AUTH_REQUIREMENTS",
        'Field "P.f" does not specify necessary @authenticated, @requiresScopes and/or @policy '
        "auth requirements to access the transitive data in context a__s from @fromContext "
        "selection set.",
    )


def test_policy_needs_federation_2_6(apollo) -> None:
    a = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", '
        '"@policy"])\ntype Query { t: Int @policy(policies: [["p"]]) }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a},
        "INVALID_LINK_DIRECTIVE_USAGE",
        '[a] Cannot import unknown element "@policy".',
    )


def test_subgraphs_must_agree_on_the_name(apollo) -> None:
    a = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", '
        '"@authenticated"])\ntype Query { t: Int @authenticated }'
    )
    b = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", '
        '{name: "@authenticated", as: "@auth"}])\ntype Query { u: Int @auth }'
    )
    assert_fails_like_apollo(
        apollo,
        {"a": a, "b": b},
        "LINK_IMPORT_NAME_MISMATCH",
        'The "@authenticated" directive (from https://specs.apollo.dev/federation/v2.6) is '
        'imported with mismatched name between subgraphs: it is imported as "@auth" in subgraph '
        '"b" but "@authenticated" in subgraph "a"',
    )

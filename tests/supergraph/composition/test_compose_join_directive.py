"""`@join__directive`: connectors (`@connect`/`@source`) and `@cacheTag` carried per subgraph.

Each case composes with ours and with Apollo's composition: the `@join__directive`
applications (and the `@link`s on the schema) must be the same text in the same order on
every element, and the whole supergraphs semantically equal.
"""

from __future__ import annotations

import re

import pytest
from apollo_reference import assert_fails_like_apollo, ours

from supergraph.composition.compare import supergraph_differences
from supergraph.runtime.supergraph_schema import SupergraphError, load_supergraph


def _fed(version: str, *imports: str) -> str:
    names = ", ".join(f'"@{i}"' for i in imports)
    return f'@link(url: "https://specs.apollo.dev/federation/v{version}", import: [{names}])'


CONNECT = '@link(url: "https://specs.apollo.dev/connect/v0.1", import: ["@connect", "@source"])'
SOURCE = '@source(name: "api", http: {baseURL: "https://api.invalid", headers: [{name: "k"}]})'

CASES: dict[str, dict[str, str]] = {
    "connect_on_fields_and_schema": {
        "a": f"extend schema {_fed('2.10', 'key')} {CONNECT} {SOURCE}\n"
        'type Query {\n  products: [Product] @connect(source: "api", http: {GET: "/products"},'
        ' selection: "id name")\n  product(id: ID!): Product @connect(source: "api",'
        ' http: {GET: "/products/{$args.id}"}, selection: "id name", entity: true)\n}\n'
        'type Product @key(fields: "id") { id: ID! name: String }',
        "b": f"extend schema {_fed('2.3', 'key')}\n"
        'type Product @key(fields: "id") { id: ID! price: Int }',
    },
    "connect_renamed_on_objects": {
        "c": f"extend schema {_fed('2.10', 'key', 'shareable', 'tag', 'inaccessible')}\n"
        '  @link(url: "https://specs.apollo.dev/connect/v0.2", as: "conn",'
        ' import: [{name: "@connect", as: "@http"}])\n'
        '  @conn__source(name: "api", http: {baseURL: "https://api.invalid"})\n'
        'type Query @tag(name: "q") {\n  products: [Product] @http(source: "api",'
        ' http: {GET: "/products"}, selection: "id") @shareable @tag(name: "p")\n}\n'
        'type Product @key(fields: "id") @http(source: "api",'
        ' http: {GET: "/p/{$this.id}"}, selection: "id name", entity: true) @tag(name: "t")'
        " { id: ID! name: String @inaccessible }",
        "d": f"extend schema {_fed('2.3', 'key', 'shareable')}\n"
        '  @link(url: "https://specs.apollo.dev/connect/v0.1", import: ["@connect"])\n'
        'type Query {\n  products: [Product] @connect(source: "api", http: {GET: "/products"},'
        ' selection: "id") @shareable\n}\ntype Product @key(fields: "id") { id: ID! price: Int }',
    },
    "connect_same_arguments_in_two_subgraphs": {
        "a": f"extend schema {_fed('2.11', 'shareable')} {CONNECT}\n"
        'type Query { n: Int @shareable @connect(http: {GET: "/n"}, selection: "$") }',
        "b": f"extend schema {_fed('2.11', 'shareable')} {CONNECT}\n"
        'type Query { n: Int @shareable @connect(selection: "$", http: {GET: "/n"}) }',
        "c": f"extend schema {_fed('2.11', 'shareable')} {CONNECT}\n"
        'type Query { n: Int @shareable @connect(http: {GET: "/other"}, selection: "$") }',
    },
    "connect_preview_version_linked_first": {
        "a": f"extend schema {_fed('2.13', 'shareable')}\n"
        '  @link(url: "https://specs.apollo.dev/connect/v0.4", import: ["@connect"])\n'
        'type Query { n: Int @shareable @connect(http: {GET: "/n"}, selection: "$") }',
        "b": f"extend schema {_fed('2.10', 'shareable')} {CONNECT}\n"
        'type Query { m: Int @connect(http: {POST: "/m", body: "x: 1.5"}, selection: "$") }',
    },
    "connect_only_upgrades_join_version": {
        "a": f"extend schema {_fed('2.3', 'key')} {CONNECT}\n"
        'type Query { n: [Int] @connect(http: {GET: "/n"}, selection: "$") }',
    },
    "cache_tag": {
        "e": f"extend schema {_fed('2.12', 'key', 'cacheTag', 'shareable')}\n"
        'type Query { products: [Product] @cacheTag(format: "products") @shareable }\n'
        'type Product @key(fields: "id") @cacheTag(format: "product-{$key.id}")'
        ' @cacheTag(format: "all") { id: ID! name: String }',
        "f": f"extend schema {_fed('2.12', 'key', 'shareable', 'cacheTag')}\n"
        'type Query { products: [Product] @cacheTag(format: "products") @shareable }\n'
        'type Product @key(fields: "id") @cacheTag(format: "product-{$key.id}")'
        " { id: ID! price: Int }",
    },
    "cache_tag_not_imported": {
        "a": f"extend schema {_fed('2.12', 'key')}\n"
        'type Query { products: [Int] @federation__cacheTag(format: "products") }',
    },
    "cache_tag_beside_other_directives": {
        "a": "extend schema "
        + _fed("2.12", "key", "cacheTag", "shareable", "tag", "inaccessible", "authenticated")
        + '\ntype Query {\n  products: [Product] @cacheTag(format: "products") @shareable'
        ' @tag(name: "x") @inaccessible @deprecated(reason: "no") @authenticated\n  i: I\n}\n'
        'interface I { id: ID! f: Int @cacheTag(format: "i") }\n'
        'type Product implements I @key(fields: "id") @cacheTag(format: "product-{$key.id}")'
        ' @tag(name: "p") @inaccessible @authenticated { id: ID! f: Int name: String }',
        "b": f"extend schema {_fed('2.12', 'key', 'shareable', 'cacheTag')}\n"
        'type Query { products: [Product] @cacheTag(format: "products") @shareable }\n'
        'type Product @key(fields: "id") @cacheTag(format: "product-{$key.id}")'
        " { id: ID! price: Int }",
    },
}

_JOIN = re.compile(r"@join__directive\(.*?\}\)|@link\([^)]*\)")


def _join_lines(sdl: str) -> dict[str, list[str]]:
    """The schema's `@link`s and every type's and field's `@join__directive`s, in order."""
    out: dict[str, list[str]] = {}
    owner = element = ""
    for line in sdl.splitlines():
        if re.match(r"(schema|type|interface)\b", line):
            owner = element = line.split("{")[0].strip()
        elif re.match(r"  \w", line):
            element = f"{owner}.{re.split(r'[(:]', line.strip())[0]}"
        elif not line.startswith("  @"):
            element = owner
        if found := _JOIN.findall(line):
            out.setdefault(element, []).extend(found)
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_join_directives_like_apollo(case: str, apollo) -> None:
    sdls = CASES[case]
    reference = apollo(sdls)
    assert reference.supergraph_sdl is not None, reference.stderr
    result = ours(sdls)
    assert result.errors == [], [str(e) for e in result.errors]
    assert result.supergraph_sdl is not None
    assert "@join__directive(" in reference.supergraph_sdl
    assert _join_lines(result.supergraph_sdl) == _join_lines(reference.supergraph_sdl)
    assert supergraph_differences(result.supergraph_sdl, reference.supergraph_sdl) == []


def test_connect_from_an_old_federation_version_needs_join_v0_5() -> None:
    sdl = ours(CASES["connect_only_upgrades_join_version"]).supergraph_sdl
    assert sdl is not None
    assert '@link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)' in sdl
    assert "directive @join__directive(" in sdl


def test_same_arguments_in_any_order_share_one_application() -> None:
    sdl = ours(CASES["connect_same_arguments_in_two_subgraphs"]).supergraph_sdl
    assert sdl is not None
    assert (
        '@join__directive(graphs: [A, B], name: "connect", args: {http: {GET: "/n"},'
        ' selection: "$"})'
    ) in sdl
    assert '@join__directive(graphs: [C], name: "connect"' in sdl


def test_connect_without_its_required_selection_fails_like_apollo(apollo) -> None:
    sdls = {
        "a": f"extend schema {_fed('2.10', 'key')} {CONNECT}\n"
        'type Query { n: Int @connect(http: {GET: "/n"}) }'
    }
    assert_fails_like_apollo(apollo, sdls, "INVALID_GRAPHQL", "selection")


def test_connect_with_an_unknown_argument_fails_like_apollo(apollo) -> None:
    sdls = {
        "a": f"extend schema {_fed('2.10', 'key')} {CONNECT}\n"
        'type Query { n: Int @connect(selection: "$", retries: 3) }'
    }
    assert_fails_like_apollo(apollo, sdls, "INVALID_GRAPHQL", "retries")


def test_cache_tag_needs_federation_2_12(apollo) -> None:
    sdls = {
        "a": f"extend schema {_fed('2.11', 'cacheTag')}\n"
        'type Query { n: Int @cacheTag(format: "n") }'
    }
    assert_fails_like_apollo(apollo, sdls, "INVALID_LINK_DIRECTIVE_USAGE", "@cacheTag")


def test_gateway_loads_a_supergraph_with_cache_tags() -> None:
    """Cache tags are metadata for a response cache: the gateway serves the graph."""
    sdl = ours(CASES["cache_tag"]).supergraph_sdl
    assert sdl is not None
    supergraph = load_supergraph(sdl)
    assert "federation__cacheTag" not in str(supergraph.api_schema)


def test_gateway_refuses_a_connectors_supergraph() -> None:
    """Connectors replace a subgraph's resolvers with REST calls our gateway cannot make:
    answering from the subgraph's URL instead would be wrong, so loading fails."""
    sdl = ours(CASES["connect_on_fields_and_schema"]).supergraph_sdl
    assert sdl is not None
    with pytest.raises(SupergraphError, match=r"connect/v0\.3"):
        load_supergraph(sdl)

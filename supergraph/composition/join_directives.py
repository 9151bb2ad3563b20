"""Directives the supergraph carries as `@join__directive(graphs:, name:, args:)`, like
Apollo Federation 2.10+: the connectors spec (`@link(url: ".../connect/v0.N")`: `@connect`
on fields and objects, `@source` on the schema) and federation 2.12's `@cacheTag`.

Such a directive is not merged into one supergraph application: each distinct application
is kept with the subgraphs that wrote it (`graphs: [A, B]` when they wrote the same
arguments), because its meaning is local to those subgraphs (a connector replaces the
subgraph's resolver; a cache tag names that subgraph's cache entries). A router that
executes them reads them from there; ours refuses a connectors supergraph at load
(`supergraph/runtime/supergraph_schema.py`: the connect spec is `for: EXECUTION` and we
cannot run REST connectors) and ignores cache tags (metadata for a response cache).

Names follow Apollo: a connect directive keeps the subgraph's local name (`@http` when
imported `as:`), the connect `@link` itself becomes `name: "link"` on the schema, and
`@cacheTag` is always `federation__cacheTag` whatever its import.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from graphql import value_from_ast_untyped
from graphql.language import DirectiveNode, NameNode

from .applications import js_value
from .model import Link, SubgraphSchema
from .supermodel import Supergraph

_CONNECT_URL = re.compile(r"^https://specs\.apollo\.dev/connect/v(\d+)\.(\d+)$")
# connect/v0.X needs federation 2.Y (Apollo's CONNECT_VERSIONS); v0.4 is a preview.
CONNECT_MIN_FEDERATION = {1: 10, 2: 11, 3: 12, 4: 13}
_CONNECT_LATEST_STABLE = 3
_CONNECT_TYPES = (
    "URLPathTemplate",
    "JSONSelection",
    "ConnectorErrors",
    "HTTPHeaderMapping",
    "ConnectBatch",
    "SourceHTTP",
    "ConnectHTTP",
)
# The spec's definitions, `{p}`-prefixed type names (graphql-core validates uses against
# them like Apollo does: unknown arguments, missing `selection`, wrong literal types).
_CONNECT_PRELUDE = """\
scalar {URLPathTemplate}
scalar {JSONSelection}
input {ConnectorErrors} {{ message: {JSONSelection} extensions: {JSONSelection} }}
input {HTTPHeaderMapping} {{ name: String! from: String value: String }}
input {ConnectBatch} {{ maxSize: Int }}
input {SourceHTTP} {{ baseURL: String! headers: [{HTTPHeaderMapping}!] path: {JSONSelection}
  queryParams: {JSONSelection} }}
input {ConnectHTTP} {{ GET: {URLPathTemplate} POST: {URLPathTemplate} PUT: {URLPathTemplate}
  PATCH: {URLPathTemplate} DELETE: {URLPathTemplate} body: {JSONSelection}
  headers: [{HTTPHeaderMapping}!] path: {JSONSelection} queryParams: {JSONSelection} }}
directive @{connect}(source: String, id: String, http: {ConnectHTTP}, batch: {ConnectBatch},
  errors: {ConnectorErrors}, selection: {JSONSelection}!, entity: Boolean = false,
  isSuccess: {JSONSelection}) repeatable on FIELD_DEFINITION | OBJECT
directive @{source}(name: String!, http: {SourceHTTP}!, errors: {ConnectorErrors},
  isSuccess: {JSONSelection}) repeatable on SCHEMA
"""
CACHE_TAG_JOIN_NAME = "federation__cacheTag"


@dataclass
class JoinDirectiveSpecs:
    """What one subgraph links that composes through `@join__directive`."""

    names: dict[str, str] = field(default_factory=dict)  # local name -> name in the join
    connect_links: list[DirectiveNode] = field(default_factory=list)
    connect_minors: list[int] = field(default_factory=list)
    type_names: set[str] = field(default_factory=set)  # the specs' types, as named here
    prelude: str = ""  # their definitions, for validating the subgraph


def join_directive_specs(links: list[Link], names: dict[str, str]) -> JoinDirectiveSpecs:
    """The connect specs among a subgraph's `@link`s and its `@cacheTag` names."""
    out = JoinDirectiveSpecs()
    for local, canonical in names.items():
        if canonical == "cacheTag":
            out.names[local] = CACHE_TAG_JOIN_NAME
    for link in links:
        match = _CONNECT_URL.match(link.url)
        if match is None or match.group(1) != "0":
            continue
        out.connect_links.append(link.node)
        out.connect_minors.append(int(match.group(2)))
        prefix = _link_as(link.node) or "connect"
        local_of = {remote: local for local, remote in link.imports.items()}
        directives = {
            "connect": local_of.get("connect", prefix),
            "source": local_of.get("source", f"{prefix}__source"),
        }
        out.names.update((n, n) for n in directives.values())
        types = {t: local_of.get(t, f"{prefix}__{t}") for t in _CONNECT_TYPES}
        out.type_names.update(types.values())
        out.prelude += _CONNECT_PRELUDE.format(**types, **directives)
    return out


def implied_federation_minor(schema: SubgraphSchema) -> int:
    """The federation 2.X a subgraph really needs: the one it links, or the newer one a
    linked connect spec requires (Apollo then composes it as that version)."""
    needed = [CONNECT_MIN_FEDERATION.get(m, 0) for m in schema.connect_minors]
    return max([schema.federation_minor, *needed])


def _link_as(node: DirectiveNode) -> str | None:
    for a in node.arguments or ():
        if a.name.value == "as":
            value = value_from_ast_untyped(a.value)
            return value if isinstance(value, str) else None
    return None


def as_join(node: DirectiveNode, join_name: str) -> DirectiveNode:
    """The application under the name `@join__directive(name:)` will give it."""
    return DirectiveNode(name=NameNode(value=join_name), arguments=node.arguments)


def merge_join_directives(groups: list[tuple[str, list[DirectiveNode]]]) -> list[str]:
    """`@join__directive` applications from (graph, applications) in subgraph order: by
    name in order of first use, then one per distinct argument set with every graph
    that wrote it (arguments compared as values, so their order does not matter)."""
    by_name: dict[str, list[tuple[dict[str, Any], list[str]]]] = {}
    for graph, directives in groups:
        for d in directives:
            args = {a.name.value: value_from_ast_untyped(a.value) for a in d.arguments or ()}
            entries = by_name.setdefault(d.name.value, [])
            same = next((e for e in entries if e[0] == args), None)
            if same is None:
                entries.append((args, [graph]))
            elif graph not in same[1]:
                same[1].append(graph)
    return [
        f"@join__directive(graphs: [{', '.join(graphs)}], name: {json.dumps(name)}, "
        f"args: {js_value(args)})"
        for name, entries in by_name.items()
        for args, graphs in entries
    ]


def add_join_directives(
    subgraphs: list[SubgraphSchema], graphs: dict[str, str], supergraph: Supergraph
) -> None:
    """Put every subgraph's join-directive applications on the supergraph's elements."""
    for t in supergraph.types.values():
        sources = [(graphs[s.name], s.types[t.name]) for s in subgraphs if t.name in s.types]
        t.join_directives = merge_join_directives([(g, d.join_directives) for g, d in sources])
        for f in t.fields.values():
            f.join_directives = merge_join_directives(
                [(g, d.fields[f.name].join_directives) for g, d in sources if f.name in d.fields]
            )
    supergraph.schema_join_directives = merge_join_directives(
        [(graphs[s.name], s.schema_join_directives) for s in subgraphs]
    )
    minors = [m for s in subgraphs for m in s.connect_minors]
    if minors:
        # Apollo keeps the newest stable version, or the first linked one if newer.
        version = max(_CONNECT_LATEST_STABLE, minors[0])
        supergraph.connect_link = (
            f'@link(url: "https://specs.apollo.dev/connect/v0.{version}", for: EXECUTION)'
        )

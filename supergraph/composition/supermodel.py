"""The merged supergraph before printing: API elements plus their join metadata."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class JoinType:
    graph: str
    key: str | None = None
    extension: bool = False
    resolvable: bool = True
    interface_object: bool = False


@dataclass
class JoinField:
    """One `@join__field`; `graph=None` is the bare form Apollo puts on interface-object
    fields copied onto implementations."""

    graph: str | None
    requires: str | None = None
    provides: str | None = None
    type: str | None = None
    external: bool = False
    override: str | None = None
    override_label: str | None = None
    used_overridden: bool = False
    context_arguments: list[ContextArgument] = field(default_factory=list)


@dataclass
class ContextArgument:
    """An argument the gateway fills from a context (`@fromContext`), not from the query."""

    context: str  # `<subgraph>__<context name>`, as on the `@context` setting it
    name: str
    type: str
    selection: str


@dataclass
class MergedArg:
    name: str
    type: str
    default: str | None = None
    description: str | None = None
    directives: list[str] = field(default_factory=list)


@dataclass
class MergedField:
    name: str
    type: str
    args: list[MergedArg] = field(default_factory=list)
    description: str | None = None
    directives: list[str] = field(default_factory=list)
    joins: list[JoinField] = field(default_factory=list)
    default: str | None = None  # input fields only
    join_directives: list[str] = field(default_factory=list)  # printed @join__directive


@dataclass
class MergedValue:
    name: str
    description: str | None = None
    directives: list[str] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)


@dataclass
class MergedType:
    name: str
    kind: str
    description: str | None = None
    directives: list[str] = field(default_factory=list)
    join_types: list[JoinType] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)
    implements: list[tuple[str, str]] = field(default_factory=list)  # (graph, interface)
    fields: dict[str, MergedField] = field(default_factory=dict)
    values: dict[str, MergedValue] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)
    member_joins: list[tuple[str, str]] = field(default_factory=list)  # (graph, member)
    join_directives: list[str] = field(default_factory=list)  # printed @join__directive


@dataclass
class Graph:
    enum_value: str
    name: str
    url: str


@dataclass
class Supergraph:
    graphs: list[Graph]
    types: dict[str, MergedType]
    directive_defs: list[str] = field(default_factory=list)  # printed, non-join ones
    links: list[str] = field(default_factory=list)  # extra printed @link applications
    feature_links: list[str] = field(default_factory=list)  # specs of carried directives
    feature_types: list[tuple[str, str]] = field(default_factory=list)  # (name, printed)
    join_minor: int = 3  # join/v0.X, chosen from the newest federation version linked
    uses_tag: bool = False
    uses_inaccessible: bool = False
    schema_join_directives: list[str] = field(default_factory=list)
    connect_link: str | None = None  # the connect spec's `@link`, when a subgraph links it
    description: str | None = None  # the schema definition's

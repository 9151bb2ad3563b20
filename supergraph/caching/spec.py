"""The `@cacheable` directive: a subgraph says which of its answers the gateway may cache.

A subgraph links it and keeps it in the supergraph with `@composeDirective`, like
`@eventSource` (supergraph/subscriptions/spec.py):

    extend schema
      @link(url: "https://pos.example/cacheable/v0.1", import: ["@cacheable"])
      @composeDirective(name: "@cacheable")

    type Product @key(fields: "id")
      @cacheable(subgraph: "catalog", maxAge: 300, topic: "pos.catalog",
                 events: ["pos.catalog.ProductRenamed.v1"], key: ["id=data.product_id"],
                 scope: "PUBLIC")

On an entity type it makes the subgraph's `_entities` answers for that type cacheable; on a
`Query` field, the subgraph's answers to root fetches made only of such fields. Why an
explicit `subgraph`: a composed directive on a supergraph type carries no graph, and an
entity usually lives in several subgraphs (Product is in five); only the declaring
subgraph knows that its answers for the type change only with the listed events.
Composition checks that `subgraph` is the declaring subgraph's own name. The directive is
repeatable so that several subgraphs can each declare their part of one entity.

`events` (with `topic`) invalidate: on an entity, the entity named by `key` (mappings
``"<key field>=<envelope path>"``, the `@eventSource` syntax, exactly one `@key`); on a
root field, every cached answer of the field. `maxAge` (seconds) bounds every entry
whatever the events say. `scope`: "PRIVATE" (the default) keeps entries per caller
identity; "PUBLIC" shares them between all callers and is only right when the subgraph
answers these fields the same to everyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from graphql import (
    ConstDirectiveNode,
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumValueDefinitionNode,
    IntValueNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    ValueNode,
    parse,
)

from supergraph.subscriptions.spec import PathMapping

SPEC_URL_PREFIX = "https://pos.example/cacheable/"
SPEC_URL = SPEC_URL_PREFIX + "v0.1"
DIRECTIVE_NAME = "cacheable"
FEDERATION_URL_PREFIX = "https://specs.apollo.dev/federation/"
JOIN_URL_PREFIX = "https://specs.apollo.dev/join/"
SCOPES = ("PRIVATE", "PUBLIC")

DIRECTIVE_SDL = """directive @cacheable(
  "The declaring subgraph's name: the gateway caches only this subgraph's answers."
  subgraph: String!
  "Seconds an entry is served at most, whatever the events say (the safety net)."
  maxAge: Int!
  "The topic whose events invalidate entries, e.g. pos.catalog."
  topic: String
  "Event types (envelope `type`, versioned) that invalidate."
  events: [String!] = []
  "On an entity: its key fields from the envelope, e.g. [\\"id=data.product_id\\"]."
  key: [String!] = []
  "PRIVATE (entries per caller identity) or PUBLIC (shared by every caller)."
  scope: String = "PRIVATE"
) repeatable on OBJECT | FIELD_DEFINITION"""

Scope = Literal["PRIVATE", "PUBLIC"]


@dataclass(frozen=True, slots=True)
class CacheRule:
    """One `@cacheable` use: whose answers, for what, how long, and what invalidates them."""

    subgraph: str
    type_name: str
    """The entity type, or the root query type for a root field."""
    field: str | None
    """The root field; None for an entity type."""
    max_age: float
    topic: str | None
    events: frozenset[str]
    key: tuple[PathMapping, ...]
    scope: Scope

    @property
    def public(self) -> bool:
        return self.scope == "PUBLIC"


@dataclass(frozen=True, slots=True)
class CacheRuleError:
    coordinate: str
    message: str

    def __str__(self) -> str:
        return f"[{self.coordinate}] {self.message}"


class InvalidCacheRules(ValueError):
    def __init__(self, errors: list[CacheRuleError]) -> None:
        super().__init__("invalid @cacheable directives:\n" + "\n".join(map(str, errors)))
        self.errors = errors


@dataclass
class CachePolicy:
    """Every rule of a supergraph, indexed the way the gateway looks them up."""

    entities: dict[tuple[str, str], CacheRule] = field(default_factory=dict)
    roots: dict[tuple[str, str], CacheRule] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.entities or self.roots)

    @property
    def rules(self) -> list[CacheRule]:
        return [*self.entities.values(), *self.roots.values()]

    @property
    def topics(self) -> list[str]:
        return sorted({r.topic for r in self.rules if r.topic and r.events})

    @property
    def subgraphs(self) -> frozenset[str]:
        return frozenset(r.subgraph for r in self.rules)


def _value(node: ValueNode | None) -> object:
    if node is None:
        return None
    if isinstance(node, StringValueNode):
        return node.value
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, ListValueNode):
        return [_value(v) for v in node.values]
    return getattr(node, "value", None)


def _args(directive: ConstDirectiveNode) -> dict[str, object]:
    return {a.name.value: _value(a.value) for a in directive.arguments or ()}


def _imported(imports: object, wanted: str) -> str | None:
    for item in imports if isinstance(imports, list) else []:
        if item == f"@{wanted}":
            return wanted
    return None


@dataclass
class _Schema:
    query: str = "Query"
    directive: str = DIRECTIVE_NAME
    linked: bool = False
    composed: bool = False
    defined: bool = False
    supergraph: bool = False
    graph_names: set[str] = field(default_factory=set)
    keys: dict[str, list[set[str]]] = field(default_factory=dict)
    uses: list[tuple[str, str | None, ConstDirectiveNode]] = field(default_factory=list)


def _top_level(selection: str) -> set[str]:
    depth, out = 0, set()
    for token in selection.replace("{", " { ").replace("}", " } ").split():
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            out.add(token)
    return out


def _read(document: DocumentNode) -> _Schema:
    s = _Schema()
    compose_name = "federation__composeDirective"
    schemas = [
        d for d in document.definitions if isinstance(d, SchemaDefinitionNode | SchemaExtensionNode)
    ]
    for schema in schemas:
        for op in schema.operation_types or ():
            if op.operation.value == "query":
                s.query = op.type.name.value
        for d in schema.directives or ():
            if d.name.value != "link":
                continue
            args = _args(d)
            url = str(args.get("url") or "")
            if url.startswith(SPEC_URL_PREFIX):
                s.linked = True
                prefix = str(args.get("as") or DIRECTIVE_NAME)
                s.directive = _imported(args.get("import"), DIRECTIVE_NAME) or (
                    f"{prefix}__{DIRECTIVE_NAME}"
                )
            elif url.startswith(FEDERATION_URL_PREFIX):
                compose_name = _imported(args.get("import"), "composeDirective") or compose_name
            elif url.startswith(JOIN_URL_PREFIX):
                s.supergraph = True
    for schema in schemas:
        for d in schema.directives or ():
            if d.name.value == compose_name:
                s.composed |= str(_args(d).get("name") or "").lstrip("@") == s.directive
    for definition in document.definitions:
        if isinstance(definition, DirectiveDefinitionNode):
            s.defined |= definition.name.value == s.directive
        elif isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == (
            "join__Graph"
        ):
            s.graph_names |= {_graph_name(v) for v in definition.values or ()}
        elif isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            name = definition.name.value
            for d in definition.directives or ():
                if d.name.value in ("key", "federation__key", "join__type"):
                    fields = _args(d).get("key" if d.name.value == "join__type" else "fields")
                    if isinstance(fields, str) and fields.strip():
                        s.keys.setdefault(name, []).append(_top_level(fields))
                elif d.name.value == s.directive:
                    s.uses.append((name, None, d))
            for f in definition.fields or ():
                s.uses.extend(
                    (name, f.name.value, d)
                    for d in f.directives or ()
                    if d.name.value == s.directive
                )
    return s


def _graph_name(value: EnumValueDefinitionNode) -> str:
    for d in value.directives or ():
        if d.name.value == "join__graph":
            return str(_args(d).get("name") or value.name.value)
    return value.name.value


def _strings(value: object) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value]
    return None


def _rule(
    s: _Schema, type_name: str, field_name: str | None, d: ConstDirectiveNode, own: str | None
) -> tuple[CacheRule | None, list[CacheRuleError]]:
    where = f"{type_name}.{field_name}" if field_name else type_name
    errors: list[CacheRuleError] = []

    def fail(message: str) -> None:
        errors.append(CacheRuleError(where, message))

    args = _args(d)
    subgraph = args.get("subgraph")
    if not isinstance(subgraph, str) or not subgraph.strip():
        fail('@cacheable needs `subgraph`: the declaring subgraph\'s name, e.g. "catalog"')
    elif own is not None and subgraph != own:
        fail(f"subgraph is {subgraph!r} but this is subgraph {own!r}: name the declaring one")
    elif s.supergraph and subgraph not in s.graph_names:
        fail(f"subgraph {subgraph!r} is not a subgraph of this supergraph")
    max_age = args.get("maxAge")
    if not isinstance(max_age, int) or isinstance(max_age, bool) or max_age <= 0:
        fail("@cacheable needs `maxAge`: a positive number of seconds (the safety net)")
    topic = args.get("topic")
    events = _strings(args.get("events"))
    key_texts = _strings(args.get("key"))
    scope = args.get("scope") or "PRIVATE"
    if scope not in SCOPES:
        fail(f"scope {scope!r}: expected PRIVATE (per caller) or PUBLIC (shared)")
    if events is None or not all(events):
        fail('events must be a list of event types, e.g. ["pos.catalog.ProductRenamed.v1"]')
        events = []
    if events and (not isinstance(topic, str) or not topic.strip()):
        fail('events need the `topic` they are published on, e.g. topic: "pos.catalog"')
    if topic is not None and not events:
        fail("a topic without `events` invalidates nothing: list the event types")
    key: list[PathMapping] = []
    for text in key_texts or []:
        try:
            key.append(PathMapping.parse(text))
        except ValueError as exc:
            fail(f"key: {exc}")
    if key_texts is None:
        fail('key must be a list of mappings, e.g. ["id=data.product_id"]')
    if field_name is not None:
        if type_name != s.query:
            fail(f"@cacheable applies to entity types and to fields of {s.query} only")
        if key:
            fail("a root field's entries are invalidated by any listed event: drop `key`")
    else:
        key_sets = s.keys.get(type_name)
        if not key_sets:
            fail(f"{type_name} is not an entity: @cacheable on a type needs its @key")
        elif events and not key:
            fail('events need `key`: which entity an event is about, e.g. key: ["id=subject"]')
        elif key and {m.name for m in key} not in key_sets:
            keys = " or ".join(repr(" ".join(sorted(k))) for k in key_sets)
            fail(f"key maps {sorted(m.name for m in key)} but the @key is {keys}: map one key")
    if errors:
        return None, errors
    assert isinstance(subgraph, str) and isinstance(max_age, int)
    return (
        CacheRule(
            subgraph=subgraph,
            type_name=type_name,
            field=field_name,
            max_age=float(max_age),
            topic=topic.strip() if isinstance(topic, str) else None,
            events=frozenset(events),
            key=tuple(key),
            scope="PUBLIC" if scope == "PUBLIC" else "PRIVATE",
        ),
        [],
    )


def _check(document: DocumentNode, own: str | None) -> tuple[CachePolicy, list[CacheRuleError]]:
    s = _read(document)
    policy = CachePolicy()
    errors: list[CacheRuleError] = []
    for type_name, field_name, d in s.uses:
        rule, problems = _rule(s, type_name, field_name, d, own)
        errors.extend(problems)
        if rule is None:
            continue
        index = policy.roots if field_name else policy.entities
        at = (rule.subgraph, field_name or type_name)
        if at in index:
            errors.append(CacheRuleError(type_name, f"{rule.subgraph} declares it twice"))
        index[at] = rule
    if s.uses and not s.supergraph:
        if not s.linked:
            errors.append(
                CacheRuleError(
                    "schema",
                    f'@cacheable must be imported with @link(url: "{SPEC_URL}", '
                    'import: ["@cacheable"]) so composition carries it',
                )
            )
        elif not s.composed:
            errors.append(
                CacheRuleError(
                    "schema",
                    f'add @composeDirective(name: "@{s.directive}"): without it composition '
                    "drops the directive and the gateway caches nothing",
                )
            )
        if not s.defined:
            errors.append(CacheRuleError("schema", f"define the directive:\n{DIRECTIVE_SDL}"))
    return policy, errors


def validate_cache_rules(
    sdl: str | DocumentNode, subgraph: str | None = None
) -> list[CacheRuleError]:
    """Every problem with the `@cacheable` uses of a subgraph (named `subgraph`) or
    supergraph SDL; none when the directive is unused."""
    return _check(parse(sdl) if isinstance(sdl, str) else sdl, subgraph)[1]


def cache_policy(sdl: str | DocumentNode) -> CachePolicy:
    """The supergraph's cache rules (empty: nothing is cacheable); raises
    `InvalidCacheRules`."""
    policy, errors = _check(parse(sdl) if isinstance(sdl, str) else sdl, None)
    if errors:
        raise InvalidCacheRules(errors)
    return policy

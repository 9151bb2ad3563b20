"""Read and check the `@eventSource` directives of a supergraph or subgraph SDL.

Works on the SDL's syntax tree, not on a built schema, so the same code checks a
subgraph (with `extend type`, federation directives it does not define) and the composed
supergraph (with `join__*` directives). Composition calls `validate_event_sources` on each
subgraph; the gateway calls `event_sources` on the supergraph it serves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from graphql import (
    BooleanValueNode,
    ConstDirectiveNode,
    DirectiveDefinitionNode,
    DocumentNode,
    EnumValueNode,
    FieldDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListTypeNode,
    ListValueNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeNode,
    ValueNode,
    parse,
)

from .spec import DIRECTIVE_NAME, DIRECTIVE_SDL, SPEC_URL, SPEC_URL_PREFIX, EventSource, PathMapping

FEDERATION_URL_PREFIX = "https://specs.apollo.dev/federation/"
JOIN_URL_PREFIX = "https://specs.apollo.dev/join/"
_TypeNodes = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
)


@dataclass(frozen=True, slots=True)
class EventSourceError:
    """One problem with an `@eventSource` use: where, what, and what to do about it."""

    coordinate: str
    message: str

    def __str__(self) -> str:
        return f"[{self.coordinate}] {self.message}"


class InvalidEventSources(ValueError):
    """The SDL's `@eventSource` directives cannot be served; `errors` lists why."""

    def __init__(self, errors: list[EventSourceError]) -> None:
        super().__init__("invalid @eventSource directives:\n" + "\n".join(map(str, errors)))
        self.errors = errors


@dataclass
class _Type:
    fields: dict[str, FieldDefinitionNode] = field(default_factory=dict)
    directives: list[ConstDirectiveNode] = field(default_factory=list)


@dataclass
class _Schema:
    types: dict[str, _Type]
    subscription: str
    directive: str
    linked: bool
    composed: bool
    is_supergraph: bool
    defined: bool


def _value(node: ValueNode | None) -> object:
    if node is None:
        return None
    if isinstance(node, StringValueNode | EnumValueNode):
        return node.value
    if isinstance(node, BooleanValueNode):
        return node.value
    if isinstance(node, ListValueNode):
        return [_value(v) for v in node.values]
    if isinstance(node, ObjectValueNode):
        return {f.name.value: _value(f.value) for f in node.fields}
    return getattr(node, "value", None)


def _args(directive: ConstDirectiveNode) -> dict[str, object]:
    return {a.name.value: _value(a.value) for a in directive.arguments or ()}


def _named(type_node: TypeNode) -> str:
    while isinstance(type_node, NonNullTypeNode | ListTypeNode):
        type_node = type_node.type
    assert isinstance(type_node, NamedTypeNode)
    return type_node.name.value


def _imported_name(imports: object, wanted: str) -> str | None:
    """The local name a `@link(import:)` gives `@wanted`; None when not imported."""
    for item in imports if isinstance(imports, list) else []:
        if item == f"@{wanted}":
            return wanted
        if isinstance(item, dict) and item.get("name") == f"@{wanted}":
            alias = item.get("as")
            return str(alias).lstrip("@") if alias else wanted
    return None


def _read(document: DocumentNode) -> _Schema:
    types: dict[str, _Type] = {}
    subscription = "Subscription"
    directive = DIRECTIVE_NAME
    compose_name = "federation__composeDirective"
    linked = False
    composed_names: list[str] = []
    is_supergraph = False
    defined = False
    schema_nodes = [
        d for d in document.definitions if isinstance(d, SchemaDefinitionNode | SchemaExtensionNode)
    ]
    for schema in schema_nodes:
        for op in schema.operation_types or ():
            if op.operation.value == "subscription":
                subscription = op.type.name.value
        for d in schema.directives or ():
            if d.name.value != "link":
                continue
            args = _args(d)
            url = str(args.get("url") or "")
            if url.startswith(SPEC_URL_PREFIX):
                linked = True
                local = _imported_name(args.get("import"), DIRECTIVE_NAME)
                prefix = str(args.get("as") or "eventsource")
                directive = local or f"{prefix}__{DIRECTIVE_NAME}"
            elif url.startswith(FEDERATION_URL_PREFIX):
                compose_name = (
                    _imported_name(args.get("import"), "composeDirective")
                    or f"{args.get('as') or 'federation'}__composeDirective"
                )
            elif url.startswith(JOIN_URL_PREFIX):
                is_supergraph = True
    for schema in schema_nodes:
        for d in schema.directives or ():
            if d.name.value == compose_name:
                composed_names.append(str(_args(d).get("name") or "").lstrip("@"))
    for definition in document.definitions:
        if isinstance(definition, _TypeNodes):
            entry = types.setdefault(definition.name.value, _Type())
            for f in definition.fields or ():
                entry.fields[f.name.value] = f
            entry.directives.extend(definition.directives or ())
        elif isinstance(definition, DirectiveDefinitionNode) and definition.name.value == directive:
            defined = True
    return _Schema(
        types=types,
        subscription=subscription,
        directive=directive,
        linked=linked,
        composed=directive in composed_names,
        is_supergraph=is_supergraph,
        defined=defined,
    )


def _key_sets(entity: _Type) -> list[set[str]] | None:
    """The entity's `@key` field sets (top-level names); None when it is no entity."""
    sets: list[set[str]] = []
    for d in entity.directives:
        name = d.name.value
        if name in ("key", "federation__key") or name == "join__type":
            fields = _args(d).get("key" if name == "join__type" else "fields")
            if isinstance(fields, str) and fields.strip():
                sets.append(_top_level_fields(fields))
    return sets or None


def _top_level_fields(selection: str) -> set[str]:
    depth, out = 0, set()
    for token in selection.replace("{", " { ").replace("}", " } ").split():
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            out.add(token)
    return out


def _owning_graph(field_node: FieldDefinitionNode, parent: _Type) -> str | None:
    for d in field_node.directives or ():
        if d.name.value == "join__field":
            graph = _args(d).get("graph")
            if isinstance(graph, str):
                return graph
    graphs = {_args(d).get("graph") for d in parent.directives if d.name.value == "join__type"}
    return str(next(iter(graphs))) if len(graphs) == 1 else None


def _strings(value: object) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [str(v) for v in value]
    return None


def _check_field(
    schema: _Schema, parent: _Type, field_node: FieldDefinitionNode, d: ConstDirectiveNode
) -> tuple[EventSource | None, list[EventSourceError]]:
    name = field_node.name.value
    where = f"{schema.subscription}.{name}"
    errors: list[EventSourceError] = []

    def fail(message: str) -> None:
        errors.append(EventSourceError(where, message))

    args = _args(d)
    topic = args.get("topic")
    if not isinstance(topic, str) or not topic.strip():
        fail('@eventSource needs a non-empty `topic`, e.g. topic: "pos.ordering"')
    events = _strings(args.get("events"))
    if not events or not all(e.strip() for e in events):
        fail('@eventSource needs `events`: the envelope types, e.g. ["pos.ordering.OrderPaid.v1"]')
    key_texts = _strings(args.get("key"))
    filter_texts = _strings(args.get("filter")) if args.get("filter") is not None else []
    version = args.get("version")
    if not isinstance(version, str) or not version.strip():
        fail(
            "@eventSource needs `version`: the entity field that holds the read model's "
            "stream version, so the gateway never pushes data older than the event"
        )

    entity_name = _named(field_node.type)
    entity = schema.types.get(entity_name)
    key_sets = _key_sets(entity) if entity else None
    if entity is None or key_sets is None:
        fail(
            f"returns {entity_name}, which is not an entity: an event-driven subscription "
            f"must return an object type with @key, so the gateway can fetch it by reference"
        )

    key: list[PathMapping] = []
    if not key_texts:
        fail('@eventSource needs `key`, e.g. key: ["id=subject"]')
    for text in key_texts or []:
        try:
            key.append(PathMapping.parse(text))
        except ValueError as exc:
            fail(f"key: {exc}")
    if key_sets is not None and key:
        names = {m.name for m in key}
        if names not in key_sets:
            keys = " or ".join(repr(" ".join(sorted(s))) for s in key_sets)
            fail(
                f"key maps {sorted(names)} but {entity_name}'s @key is {keys}: map exactly "
                f"the fields of one key"
            )

    filters: list[PathMapping] = []
    arguments = {a.name.value for a in field_node.arguments or ()}
    for text in filter_texts or []:
        try:
            mapping = PathMapping.parse(text)
        except ValueError as exc:
            fail(f"filter: {exc}")
            continue
        if mapping.name not in arguments:
            known = ", ".join(sorted(arguments)) or "none"
            fail(
                f"filter references unknown argument {mapping.name!r} (arguments: {known}); "
                f"declare it on the field or fix the filter"
            )
        filters.append(mapping)

    if entity is not None and isinstance(version, str) and version.strip():
        version_field = entity.fields.get(version.strip())
        if version_field is None:
            fail(
                f"version field {version!r} is not a field of {entity_name}: add "
                f"`{version.strip()}: Int!` (the last applied stream version) to the entity"
            )
        elif _named(version_field.type) != "Int":
            fail(f"version field {entity_name}.{version} must be an Int")

    if errors:
        return None, errors
    assert isinstance(topic, str) and events and isinstance(version, str)
    source = EventSource(
        field=name,
        entity=entity_name,
        topic=topic.strip(),
        events=frozenset(e.strip() for e in events),
        key=tuple(key),
        filters=tuple(filters),
        version_field=version.strip(),
        graph=_owning_graph(field_node, parent) if schema.is_supergraph else None,
    )
    return source, []


def _check(document: DocumentNode) -> tuple[dict[str, EventSource], list[EventSourceError]]:
    schema = _read(document)
    sources: dict[str, EventSource] = {}
    errors: list[EventSourceError] = []
    used = False
    for type_name, entry in schema.types.items():
        for field_name, field_node in entry.fields.items():
            for d in field_node.directives or ():
                if d.name.value != schema.directive:
                    continue
                used = True
                if type_name != schema.subscription:
                    errors.append(
                        EventSourceError(
                            f"{type_name}.{field_name}",
                            "@eventSource only applies to fields of the Subscription type",
                        )
                    )
                    continue
                source, problems = _check_field(schema, entry, field_node, d)
                errors.extend(problems)
                if source is not None:
                    sources[field_name] = source
    if used and not schema.is_supergraph:
        errors.extend(_check_subgraph_wiring(schema))
    return sources, errors


def _check_subgraph_wiring(schema: _Schema) -> Iterable[EventSourceError]:
    if not schema.linked:
        yield EventSourceError(
            "schema",
            f'@eventSource must be imported with @link(url: "{SPEC_URL}", '
            f'import: ["@eventSource"]) so composition can carry it into the supergraph',
        )
    elif not schema.composed:
        yield EventSourceError(
            "schema",
            f'add @composeDirective(name: "@{schema.directive}") to the schema: without it '
            f"composition drops the directive and the gateway cannot see the event source",
        )
    if not schema.defined:
        yield EventSourceError(
            "schema", f"the subgraph SDL must define the directive:\n{DIRECTIVE_SDL}"
        )


def _document(sdl: str | DocumentNode) -> DocumentNode:
    return parse(sdl) if isinstance(sdl, str) else sdl


def validate_event_sources(sdl: str | DocumentNode) -> list[EventSourceError]:
    """Every problem with the `@eventSource` uses of a subgraph or supergraph SDL."""
    return _check(_document(sdl))[1]


def event_sources(sdl: str | DocumentNode) -> dict[str, EventSource]:
    """Subscription field name -> its `EventSource`; raises `InvalidEventSources`."""
    sources, errors = _check(_document(sdl))
    if errors:
        raise InvalidEventSources(errors)
    return sources

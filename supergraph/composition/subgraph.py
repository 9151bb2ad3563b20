"""Parse and normalise one subgraph SDL (federation 1 or 2) into a `SubgraphSchema`.

Federation 2 subgraphs name federation directives through `@link(import:)`, possibly
renamed (`{name: "@key", as: "@primaryKey"}`) or namespaced (`@federation__key`,
`@<as>__key`). Federation 1 subgraphs use the bare names and have Apollo's implicit
semantics: every field is shareable and `@external` key fields of an extension are not
really external. Both are decoded here so the merger only sees canonical meanings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from graphql import (
    GraphQLError,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    build_ast_schema,
    parse,
    print_ast,
    validate_schema,
    value_from_ast,
)
from graphql.language import (
    ArgumentNode,
    BooleanValueNode,
    DefinitionNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    FieldNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListValueNode,
    NamedTypeNode,
    NameNode,
    Node,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ObjectValueNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    SelectionSetNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    ValueNode,
    Visitor,
    visit,
)

from .errors import CompositionError
from .fieldset import field_paths, parse_field_set
from .model import EnumValue, Field, InputValue, Key, Link, SubgraphSchema, TypeDef

FEDERATION_DIRECTIVES = (
    "key",
    "shareable",
    "external",
    "requires",
    "provides",
    "override",
    "inaccessible",
    "tag",
    "interfaceObject",
    "composeDirective",
    "extends",
    "authenticated",
    "requiresScopes",
    "policy",
    "context",
    "fromContext",
    "cost",
    "listSize",
)

# Types a subgraph may print for the federation machinery; none belongs in the supergraph.
FEDERATION_TYPES = {
    "_Any",
    "_Entity",
    "_Service",
    "_FieldSet",
    "FieldSet",
    "federation__FieldSet",
    "federation__Scope",
    "federation__Policy",
    "federation__ContextFieldValue",
    "link__Import",
    "link__Purpose",
}

_FED2_URL = re.compile(r"^https://specs\.apollo\.dev/federation/v(2\.\d+)$")

# Directives graphql-core needs to see defined to validate the SDL; canonical names.
_PRELUDE = {
    "key": "(fields: federation__FieldSet!, resolvable: Boolean = true) repeatable on OBJECT"
    " | INTERFACE",
    "shareable": " repeatable on OBJECT | FIELD_DEFINITION",
    "external": "(reason: String) on OBJECT | FIELD_DEFINITION",
    "requires": "(fields: federation__FieldSet!) on FIELD_DEFINITION",
    "provides": "(fields: federation__FieldSet!) on FIELD_DEFINITION",
    "override": "(from: String!, label: String) on FIELD_DEFINITION",
    "inaccessible": " on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION"
    " | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION",
    "tag": "(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION"
    " | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
    " | SCHEMA",
    "interfaceObject": " on OBJECT",
    "composeDirective": "(name: String!) repeatable on SCHEMA",
    "extends": " on OBJECT | INTERFACE",
    "authenticated": " on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    "requiresScopes": "(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE"
    " | SCALAR | ENUM",
    "policy": "(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    "context": "(name: String!) repeatable on INTERFACE | OBJECT | UNION",
    "fromContext": "(field: String) on ARGUMENT_DEFINITION",
    "cost": "(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION"
    " | INPUT_FIELD_DEFINITION | OBJECT | SCALAR",
    "listSize": "(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!],"
    " requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION",
}

# Federation 1 knows only these; @shareable, @override... need a federation 2 @link.
_FEDERATION1_DIRECTIVES = (
    "key",
    "external",
    "requires",
    "provides",
    "extends",
    "tag",
    "inaccessible",
)
_FEDERATION_IMPORT_TYPES = ("FieldSet", "Scope", "Policy", "ContextFieldValue")
# The federation 2.X that introduced a directive or type (others exist since 2.0); Apollo
# rejects importing them from an older version as unknown elements.
_SINCE_MINOR = {
    "authenticated": 5,
    "requiresScopes": 5,
    "Scope": 5,
    "policy": 6,
    "Policy": 6,
    "context": 8,
    "fromContext": 8,
    "ContextFieldValue": 8,
    "cost": 9,
    "listSize": 9,
}
# Federation directives whose applications the supergraph keeps (under canonical names
# here; `features.py` gives them their supergraph names and merges their arguments).
CARRIED_FEATURES = ("authenticated", "requiresScopes", "policy", "context", "cost", "listSize")


class _UnknownImport(Exception):
    """A `@link(import:)` names something the federation spec does not define."""


_ROOTS = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}


@dataclass(frozen=True)
class Subgraph:
    """A subgraph to compose: its name, the URL the gateway will call, and its SDL."""

    name: str
    url: str
    sdl: str


def _arg(node: DirectiveNode, name: str) -> ValueNode | None:
    for a in node.arguments or ():
        if a.name.value == name:
            return a.value
    return None


def _str_arg(node: DirectiveNode, name: str) -> str | None:
    v = _arg(node, name)
    return v.value if isinstance(v, StringValueNode) else None


def _bool_arg(node: DirectiveNode, name: str, default: bool) -> bool:
    v = _arg(node, name)
    return v.value if isinstance(v, BooleanValueNode) else default


def _schema_directives(doc: DocumentNode) -> list[DirectiveNode]:
    out: list[DirectiveNode] = []
    for d in doc.definitions:
        if isinstance(d, SchemaDefinitionNode | SchemaExtensionNode):
            out.extend(d.directives or ())
    return out


def _federation_names(doc: DocumentNode) -> tuple[int, int, dict[str, str], list[Link]]:
    """Federation version (major, minor) and the local -> canonical directive names."""
    names: dict[str, str] = {}
    links: list[Link] = []
    version = 1
    minor = 0
    unknown: list[str] = []
    for d in _schema_directives(doc):
        if d.name.value != "link":
            continue
        url = _str_arg(d, "url") or ""
        imports: dict[str, str] = {}
        raw = _arg(d, "import")
        items = raw.values if isinstance(raw, ListValueNode) else ()
        for item in items:
            if isinstance(item, StringValueNode):
                imports[item.value] = item.value
            elif isinstance(item, ObjectValueNode):
                fields = {f.name.value: f.value for f in item.fields}
                name, alias = fields.get("name"), fields.get("as")
                if isinstance(name, StringValueNode):
                    local = alias.value if isinstance(alias, StringValueNode) else name.value
                    imports[local] = name.value
        match = _FED2_URL.match(url.rstrip("/"))
        if match:
            version = 2
            minor = int(match.group(1).split(".")[1])
            for remote in imports.values():
                known = (
                    FEDERATION_DIRECTIVES if remote.startswith("@") else _FEDERATION_IMPORT_TYPES
                )
                bare = remote.lstrip("@")
                if bare not in known or _SINCE_MINOR.get(bare, 0) > minor:
                    unknown.append(remote)
            prefix = _str_arg(d, "as") or "federation"
            for canonical in FEDERATION_DIRECTIVES:
                if _SINCE_MINOR.get(canonical, 0) <= minor:
                    names[f"{prefix}__{canonical}"] = canonical
            for local, remote in imports.items():
                if local.startswith("@") and remote[1:] in FEDERATION_DIRECTIVES:
                    names[local[1:]] = remote[1:]
        elif "specs.apollo.dev/link/" not in url:
            links.append(
                Link(
                    url=url,
                    imports={k.lstrip("@"): v.lstrip("@") for k, v in imports.items()},
                    node=d,
                )
            )
    if version == 1:
        names = {n: n for n in _FEDERATION1_DIRECTIVES}
    if unknown:
        raise _UnknownImport(*unknown)
    return version, minor, names, links


class _Renamer(Visitor):
    """Renames custom root operation types to Query/Mutation/Subscription, as Apollo does."""

    def __init__(self, renames: dict[str, str]) -> None:
        super().__init__()
        self.renames = renames

    def enter_named_type(self, node: NamedTypeNode, *_: object) -> NamedTypeNode | None:
        new = self.renames.get(node.name.value)
        return NamedTypeNode(name=NameNode(value=new)) if new else None


def _root_renames(doc: DocumentNode) -> dict[str, str]:
    renames: dict[str, str] = {}
    for d in doc.definitions:
        if isinstance(d, SchemaDefinitionNode | SchemaExtensionNode):
            for op in d.operation_types or ():
                target = _ROOTS[op.operation.value]
                if op.type.name.value != target:
                    renames[op.type.name.value] = target
    return renames


def _renamed_definition(d: DefinitionNode, renames: dict[str, str]) -> DefinitionNode:
    if isinstance(d, TypeDefinitionNode | TypeExtensionNode) and d.name.value in renames:
        return _replace(d, name=NameNode(value=renames[d.name.value]))
    return d


def _replace(node: DefinitionNode, **changes: object) -> DefinitionNode:
    """A copy of an AST node with some attributes changed (graphql-core nodes are frozen)."""
    kwargs = {k: getattr(node, k) for k in node.keys if k != "loc"}
    kwargs.update(changes)
    return type(node)(**kwargs)


def _strip(doc: DocumentNode, names: dict[str, str]) -> list[DefinitionNode]:
    """Drop the federation machinery a subgraph may print in its own SDL."""
    out: list[DefinitionNode] = []
    for d in doc.definitions:
        if isinstance(d, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        if isinstance(d, DirectiveDefinitionNode) and (
            d.name.value in names or d.name.value == "link"
        ):
            continue
        if isinstance(d, TypeDefinitionNode | TypeExtensionNode):
            if d.name.value in FEDERATION_TYPES:
                continue
            if d.name.value == "Query" and isinstance(
                d, ObjectTypeDefinitionNode | ObjectTypeExtensionNode
            ):
                kept = [f for f in d.fields or () if f.name.value not in ("_service", "_entities")]
                if len(kept) != len(d.fields or ()):
                    if not kept and isinstance(d, ObjectTypeExtensionNode):
                        continue
                    d = _replace(d, fields=tuple(kept))
        out.append(d)
    return out


_EXTENSION_TO_DEFINITION: dict[type, type] = {
    ObjectTypeExtensionNode: ObjectTypeDefinitionNode,
    InterfaceTypeExtensionNode: InterfaceTypeDefinitionNode,
    UnionTypeExtensionNode: UnionTypeDefinitionNode,
    EnumTypeExtensionNode: EnumTypeDefinitionNode,
    InputObjectTypeExtensionNode: InputObjectTypeDefinitionNode,
    ScalarTypeExtensionNode: ScalarTypeDefinitionNode,
}


def _as_definition(ext: TypeExtensionNode) -> TypeDefinitionNode:
    cls = _EXTENSION_TO_DEFINITION[type(ext)]
    kwargs = {k: getattr(ext, k) for k in ext.keys if k != "loc"}
    return cls(**kwargs)


def _validation_document(
    defs: list[DefinitionNode], names: dict[str, str], user_directives: set[str]
) -> DocumentNode:
    """The subgraph as plain GraphQL: extensions without a base become definitions and the
    federation directives get definitions, so graphql-core can validate it."""
    defined = {d.name.value for d in defs if isinstance(d, TypeDefinitionNode)}
    body: list[DefinitionNode] = []
    for d in defs:
        if isinstance(d, TypeExtensionNode) and d.name.value not in defined:
            defined.add(d.name.value)
            body.append(_as_definition(d))
        else:
            body.append(d)
    prelude = ["scalar federation__FieldSet"]
    for local, canonical in names.items():
        if local not in user_directives:
            prelude.append(f"directive @{local}{_PRELUDE[canonical]}")
    return DocumentNode(definitions=(*parse("\n".join(prelude)).definitions, *body))


class _DirectiveCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[DirectiveNode] = []

    def enter_directive(self, node: DirectiveNode, *_: object) -> None:
        self.found.append(node)


def _unknown_directive_in_machinery(schema: GraphQLSchema, doc: DocumentNode) -> str | None:
    """`_strip` drops `_service`, `_entities` and the federation types before graphql-core
    sees them, but Apollo still rejects an unknown directive written there."""
    stripped: list[Node] = []
    for d in doc.definitions:
        if not isinstance(d, TypeDefinitionNode | TypeExtensionNode):
            continue
        if d.name.value in FEDERATION_TYPES:
            stripped.append(d)
        elif d.name.value == "Query":
            fields = getattr(d, "fields", None) or ()
            stripped.extend(f for f in fields if f.name.value in ("_service", "_entities"))
    collector = _DirectiveCollector()
    for node in stripped:
        visit(node, collector)
    return next(
        (n.name.value for n in collector.found if schema.get_directive(n.name.value) is None),
        None,
    )


def _invalid_directive_value(schema: GraphQLSchema, defs: list[DefinitionNode]) -> str | None:
    """Directive arguments must be valid literals of their declared types (graphql-core's
    SDL validation does not check this; Apollo does)."""
    collector = _DirectiveCollector()
    visit(DocumentNode(definitions=tuple(defs)), collector)
    for node in collector.found:
        directive = schema.get_directive(node.name.value)
        if directive is None:
            continue
        for arg in node.arguments or ():
            definition = directive.args.get(arg.name.value)
            if definition is None or (
                isinstance(definition.type, GraphQLScalarType)
                and (definition.type.name == "federation__FieldSet")
            ):
                continue
            if value_from_ast(arg.value, definition.type) is Undefined:
                return (
                    f'Invalid value for "@{node.name.value}({arg.name.value}:)" of type '
                    f'"{definition.type}" in application of "@{node.name.value}".'
                )
    return None


def _directive_name(node: DirectiveNode, names: dict[str, str]) -> str:
    return names.get(node.name.value, "")


def _description(node: object) -> str | None:
    desc = getattr(node, "description", None)
    return desc.value if desc is not None else None


def _carried(
    nodes: Sequence[DirectiveNode], names: dict[str, str], composed: set[str]
) -> list[DirectiveNode]:
    """Directive applications that survive into the supergraph, under supergraph names."""
    out: list[DirectiveNode] = []
    for n in nodes:
        canonical = names.get(n.name.value)
        if canonical in ("tag", "inaccessible") or canonical in CARRIED_FEATURES:
            out.append(DirectiveNode(name=NameNode(value=canonical), arguments=n.arguments))
        elif n.name.value in ("deprecated", "specifiedBy", "oneOf") or n.name.value in composed:
            out.append(n)
    return out


def _input_value(
    node: InputValueDefinitionNode, names: dict[str, str], composed: set[str]
) -> InputValue:
    from_context = next(
        (
            _str_arg(d, "field") or ""
            for d in node.directives or ()
            if names.get(d.name.value) == "fromContext"
        ),
        None,
    )
    return InputValue(
        name=node.name.value,
        type=node.type,
        default=node.default_value,
        description=_description(node),
        directives=_carried(node.directives or (), names, composed),
        from_context=from_context,
    )


def _field(
    node: FieldDefinitionNode,
    names: dict[str, str],
    composed: set[str],
    type_shareable: bool,
) -> Field:
    f = Field(
        name=node.name.value,
        type=node.type,
        args={a.name.value: _input_value(a, names, composed) for a in node.arguments or ()},
        description=_description(node),
        directives=_carried(node.directives or (), names, composed),
        shareable=type_shareable,
    )
    shareables = 0
    for d in node.directives or ():
        kind = _directive_name(d, names)
        shareables += kind == "shareable"
        f.duplicate_shareable = shareables > 1
        if kind == "external":
            f.external = True
        elif kind == "shareable":
            f.shareable = f.shareable_applied = True
        elif kind == "requires":
            f.requires = _str_arg(d, "fields")
        elif kind == "provides":
            f.provides = _str_arg(d, "fields")
        elif kind == "override":
            f.override = _str_arg(d, "from")
            f.override_label = _str_arg(d, "label")
    return f


_KINDS: dict[type, str] = {
    ObjectTypeDefinitionNode: "object",
    ObjectTypeExtensionNode: "object",
    InterfaceTypeDefinitionNode: "interface",
    InterfaceTypeExtensionNode: "interface",
    UnionTypeDefinitionNode: "union",
    UnionTypeExtensionNode: "union",
    EnumTypeDefinitionNode: "enum",
    EnumTypeExtensionNode: "enum",
    InputObjectTypeDefinitionNode: "input",
    InputObjectTypeExtensionNode: "input",
    ScalarTypeDefinitionNode: "scalar",
    ScalarTypeExtensionNode: "scalar",
}


def _fold(
    name: str,
    nodes: list[TypeDefinitionNode | TypeExtensionNode],
    names: dict[str, str],
    composed: set[str],
) -> TypeDef:
    """Fold a type's definition and extensions into one `TypeDef`."""
    t = TypeDef(name=name, kind=_KINDS[type(nodes[0])])
    has_definition = False
    type_external = False
    for node in nodes:
        directives = node.directives or ()
        kinds = [_directive_name(d, names) for d in directives]
        if isinstance(node, TypeDefinitionNode) and "extends" not in kinds:
            has_definition = True
        t.extends_directive = t.extends_directive or "extends" in kinds
        type_external = type_external or "external" in kinds
        t.description = t.description or _description(node)
        t.directives.extend(_carried(directives, names, composed))
        for d, kind in zip(directives, kinds, strict=True):
            if kind == "key":
                t.keys.append(Key(_str_arg(d, "fields") or "", _bool_arg(d, "resolvable", True)))
            elif kind == "interfaceObject":
                t.interface_object = True
            elif kind == "context":
                t.contexts.append(_str_arg(d, "name") or "")
        type_shareable = "shareable" in kinds
        for fnode in getattr(node, "fields", None) or ():
            if isinstance(fnode, FieldDefinitionNode):
                t.fields[fnode.name.value] = _field(fnode, names, composed, type_shareable)
            else:
                t.input_fields[fnode.name.value] = _input_value(fnode, names, composed)
        for i in getattr(node, "interfaces", None) or ():
            t.interfaces.append(i.name.value)
        for m in getattr(node, "types", None) or ():
            t.members.append(m.name.value)
        for v in getattr(node, "values", None) or ():
            t.values[v.name.value] = EnumValue(
                v.name.value, _description(v), _carried(v.directives or (), names, composed)
            )
    t.extension = not has_definition
    t.only_extend_keyword = not any(isinstance(n, TypeDefinitionNode) for n in nodes)
    if type_external:
        for f in t.fields.values():
            f.external = True
    elif t.extension or t.extends_directive:
        # Apollo's "fake external": @external key fields of an extension are not external.
        for key in t.keys:
            for path in field_paths(key.fields):
                if len(path) == 1 and path[0] in t.fields:
                    t.fields[path[0]].external = False
    return t


def _apply_fed1_semantics(schema: SubgraphSchema) -> None:
    """Apollo's federation 1 upgrade: all fields shareable, key fields of extensions not
    external (done in `_fold` for every version),
    `@provides` on a scalar or enum field (ignored by federation 1) dropped, unused
    `@external` fields dropped, `@requires`/`@provides` on interface fields (which
    federation 1 ignored and federation 2 rejects) dropped."""
    for t in schema.types.values():
        if t.kind == "interface":
            for f in t.fields.values():
                f.requires = f.provides = None
        for f in t.fields.values():
            f.shareable = True
    for t in schema.types.values():
        for f in t.fields.values():
            if not f.provides:
                continue
            returned = schema.types.get(named_type(f.type))
            if returned is None or not returned.composite:
                f.provides = None
            else:
                f.provides = _only_external(schema, returned.name, f.provides)
    # External fields used by @requires / @provides stay; others are removed.
    referenced: set[tuple[str, str]] = set()
    for t in schema.types.values():
        referenced.update((t.name, p[0]) for k in t.keys for p in field_paths(k.fields))
        for f in t.fields.values():
            if f.requires:
                referenced.update((t.name, p[0]) for p in field_paths(f.requires))
            if f.provides:
                target = named_type(f.type)
                referenced.update((target, p[0]) for p in field_paths(f.provides))
    for t in schema.types.values():
        for fname in [n for n, f in t.fields.items() if f.external]:
            if (t.name, fname) not in referenced:
                del t.fields[fname]


def _only_external(schema: SubgraphSchema, target: str, provides: str) -> str:
    """Federation 1 tolerated non-external fields in @provides; the upgrade drops them."""
    t = schema.types.get(target)
    if t is None or t.kind != "object":
        return provides
    try:
        selection = parse_field_set(provides)
    except GraphQLError:
        return provides
    if not _selections_fit(schema, target, selection):
        return provides  # left whole for validation to report, as Apollo does
    kept = [
        sel
        for sel in selection.selections
        if not isinstance(sel, FieldNode)
        or sel.name.value not in t.fields
        or t.fields[sel.name.value].external
    ]
    if len(kept) == len(selection.selections):
        return provides
    return " ".join(print_ast(sel) for sel in kept)


def _selections_fit(schema: SubgraphSchema, type_name: str, selection: SelectionSetNode) -> bool:
    """Composite fields are selected with sub-fields and leaves without (unknown fields
    and fragments are left to validation)."""
    t = schema.types.get(type_name)
    for sel in selection.selections:
        if t is None or not isinstance(sel, FieldNode) or sel.name.value not in t.fields:
            continue
        below = named_type(t.fields[sel.name.value].type)
        composite = below in schema.types and schema.types[below].composite
        if composite != (sel.selection_set is not None):
            return False
        if sel.selection_set is not None and not _selections_fit(schema, below, sel.selection_set):
            return False
    return True


def _qualify_contexts(schema: SubgraphSchema) -> None:
    """Context names are per subgraph: the supergraph's `@context(name:)` is
    `<subgraph>__<name>`, as the `contextArguments` of `@join__field` refer to it."""
    for t in schema.types.values():
        t.directives = [
            DirectiveNode(
                name=d.name,
                arguments=(
                    ArgumentNode(
                        name=NameNode(value="name"),
                        value=StringValueNode(value=f"{schema.name}__{_str_arg(d, 'name')}"),
                    ),
                ),
            )
            if d.name.value == "context"
            else d
            for d in t.directives
        ]


def named_type(node: TypeNode) -> str:
    """The named type at the bottom of a (possibly wrapped) type reference."""
    while not isinstance(node, NamedTypeNode):
        node = node.type  # type: ignore[attr-defined]
    return node.name.value


def _mark_key_and_provided_fields_shareable(schema: SubgraphSchema) -> None:
    """Fields in a `@key` or a `@provides` are implicitly shareable (as in Apollo)."""

    def mark(type_name: str, paths: list[tuple[str, ...]]) -> None:
        for path in paths:
            current = type_name
            for step in path:
                t = schema.types.get(current)
                if t is None or step not in t.fields:
                    break
                t.fields[step].shareable = True
                current = named_type(t.fields[step].type)

    for t in list(schema.types.values()):
        for key in t.keys:
            mark(t.name, field_paths(key.fields))
        for f in t.fields.values():
            if f.provides:
                mark(named_type(f.type), field_paths(f.provides))


def parse_subgraph(subgraph: Subgraph) -> tuple[SubgraphSchema | None, list[CompositionError]]:
    """Parse, validate and normalise a subgraph; on invalid GraphQL return the errors."""

    def invalid(message: str) -> tuple[None, list[CompositionError]]:
        err = CompositionError(
            "INVALID_GRAPHQL", f"[{subgraph.name}] {message}", (subgraph.name,), ()
        )
        return None, [err]

    try:
        doc = parse(subgraph.sdl)
    except GraphQLError as e:
        return invalid(e.message)
    try:
        version, minor, names, links = _federation_names(doc)
    except _UnknownImport as e:
        errors = [
            CompositionError(
                "INVALID_LINK_DIRECTIVE_USAGE",
                f'[{subgraph.name}] Cannot import unknown element "{element}".',
                (subgraph.name,),
                (),
            )
            for element in e.args
        ]
        return None, errors
    renames = _root_renames(doc)
    if renames:
        doc = visit(doc, _Renamer(renames))
    defs = [_renamed_definition(d, renames) for d in _strip(doc, names)]
    user_directives = {d.name.value for d in defs if isinstance(d, DirectiveDefinitionNode)}
    try:
        built = build_ast_schema(_validation_document(defs, names, user_directives))
    except (GraphQLError, TypeError) as e:
        return invalid(str(e))
    problems = [e for e in validate_schema(built) if "Query root type" not in e.message]
    if problems:
        return invalid(problems[0].message)
    bad_value = _invalid_directive_value(built, defs)
    if bad_value:
        return invalid(bad_value)
    unknown = _unknown_directive_in_machinery(built, doc)
    if unknown:
        return invalid(f"Unknown directive '@{unknown}'.")

    composed: set[str] = set()
    for applied in _schema_directives(doc):
        if names.get(applied.name.value) == "composeDirective":
            composed.add((_str_arg(applied, "name") or "").lstrip("@"))
    schema = SubgraphSchema(subgraph.name, subgraph.url, version, minor, links=links)
    schema.composed = sorted(composed)
    grouped: dict[str, list[TypeDefinitionNode | TypeExtensionNode]] = {}
    for d in defs:
        if isinstance(d, DirectiveDefinitionNode):
            schema.directive_defs[d.name.value] = d
        elif isinstance(d, TypeDefinitionNode | TypeExtensionNode):
            grouped.setdefault(d.name.value, []).append(d)
    for name, nodes in grouped.items():
        schema.types[name] = _fold(name, nodes, names, composed)
    collector = _DirectiveCollector()
    visit(DocumentNode(definitions=tuple(defs)), collector)
    for node in collector.found:
        canonical = names.get(node.name.value)
        if canonical is not None:
            schema.applied.setdefault(canonical, node.name.value)
    _qualify_contexts(schema)
    if version == 1:
        _apply_fed1_semantics(schema)
    _mark_key_and_provided_fields_shareable(schema)
    return schema, []

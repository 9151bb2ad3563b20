"""What a subgraph SDL must satisfy before it is modelled: federation's own definitions
stripped, the rest validated as GraphQL with federation's prelude, and directives used
where federation's machinery would trip over them.
"""

from __future__ import annotations

from graphql import (
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    parse,
    value_from_ast,
)
from graphql.language import (
    DefinitionNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    Node,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    Visitor,
    visit,
)

from .subgraph_sdl import (
    FEDERATION_TYPES,
    replace_node,
)

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
    "cacheTag": "(format: String!) repeatable on OBJECT | FIELD_DEFINITION",
}


def without_federation_definitions(
    doc: DocumentNode, names: dict[str, str]
) -> list[DefinitionNode]:
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
                    d = replace_node(d, fields=tuple(kept))
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


def validation_document(
    defs: list[DefinitionNode],
    names: dict[str, str],
    user_directives: set[str],
    extra_prelude: str = "",
) -> DocumentNode:
    """The subgraph as plain GraphQL: extensions without a base become definitions and the
    federation directives get definitions (plus `extra_prelude`: other linked specs'), so
    graphql-core can validate it."""
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
    prelude.append(extra_prelude)
    return DocumentNode(definitions=(*parse("\n".join(prelude)).definitions, *body))


class DirectiveCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[DirectiveNode] = []

    def enter_directive(self, node: DirectiveNode, *_: object) -> None:
        self.found.append(node)


def unknown_directive_in_machinery(schema: GraphQLSchema, doc: DocumentNode) -> str | None:
    """`without_federation_definitions` drops `_service`, `_entities` and the federation
    types before graphql-core sees them, but Apollo still rejects an unknown directive
    written there."""
    stripped: list[Node] = []
    for d in doc.definitions:
        if not isinstance(d, TypeDefinitionNode | TypeExtensionNode):
            continue
        if d.name.value in FEDERATION_TYPES:
            stripped.append(d)
        elif d.name.value == "Query":
            fields = getattr(d, "fields", None) or ()
            stripped.extend(f for f in fields if f.name.value in ("_service", "_entities"))
    collector = DirectiveCollector()
    for node in stripped:
        visit(node, collector)
    return next(
        (n.name.value for n in collector.found if schema.get_directive(n.name.value) is None),
        None,
    )


def invalid_directive_value(schema: GraphQLSchema, defs: list[DefinitionNode]) -> str | None:
    """Directive arguments must be valid literals of their declared types (graphql-core's
    SDL validation does not check this; Apollo does)."""
    collector = DirectiveCollector()
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

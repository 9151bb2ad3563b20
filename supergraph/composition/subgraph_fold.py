"""Fold a validated subgraph SDL into the `SubgraphSchema` the merger reads: types, fields,
arguments, keys, and the federation directives the supergraph carries.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphql.language import (
    DirectiveNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    NameNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
)

from .fieldset import field_paths
from .join_directives import as_join
from .model import EnumValue, Field, InputValue, Key, TypeDef
from .subgraph_sdl import (
    bool_arg,
    str_arg,
)

# Federation directives whose applications the supergraph keeps (under canonical names
# here; `features.py` gives them their supergraph names and merges their arguments).
CARRIED_FEATURES = ("authenticated", "requiresScopes", "policy", "context", "cost", "listSize")


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
            str_arg(d, "field") or ""
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


def _joined(nodes: Sequence[DirectiveNode], join_names: dict[str, str]) -> list[DirectiveNode]:
    """Applications carried as `@join__directive`, under their names there."""
    return [as_join(n, join_names[n.name.value]) for n in nodes if n.name.value in join_names]


def _field(
    node: FieldDefinitionNode,
    names: dict[str, str],
    composed: set[str],
    type_shareable: bool,
    join_names: dict[str, str],
) -> Field:
    f = Field(
        name=node.name.value,
        type=node.type,
        args={a.name.value: _input_value(a, names, composed) for a in node.arguments or ()},
        description=_description(node),
        directives=_carried(node.directives or (), names, composed),
        shareable=type_shareable,
        join_directives=_joined(node.directives or (), join_names),
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
            f.requires = str_arg(d, "fields")
        elif kind == "provides":
            f.provides = str_arg(d, "fields")
        elif kind == "override":
            f.override = str_arg(d, "from")
            f.override_label = str_arg(d, "label")
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


def fold(
    name: str,
    nodes: list[TypeDefinitionNode | TypeExtensionNode],
    names: dict[str, str],
    composed: set[str],
    join_names: dict[str, str] | None = None,
) -> TypeDef:
    """Fold a type's definition and extensions into one `TypeDef`; `join_names` are the
    directives carried as `@join__directive` (local name -> name there)."""
    join_names = join_names or {}
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
        t.join_directives.extend(_joined(directives, join_names))
        for d, kind in zip(directives, kinds, strict=True):
            if kind == "key":
                t.keys.append(Key(str_arg(d, "fields") or "", bool_arg(d, "resolvable", True)))
            elif kind == "interfaceObject":
                t.interface_object = True
            elif kind == "context":
                t.contexts.append(str_arg(d, "name") or "")
        type_shareable = "shareable" in kinds
        for fnode in getattr(node, "fields", None) or ():
            if isinstance(fnode, FieldDefinitionNode):
                t.fields[fnode.name.value] = _field(
                    fnode, names, composed, type_shareable, join_names
                )
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

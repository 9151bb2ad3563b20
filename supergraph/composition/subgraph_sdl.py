"""Federation's vocabulary in one subgraph SDL: the directives and types it links (possibly
renamed or namespaced), the federation version it asks for, directive arguments read
the same way everywhere, and root types renamed to their canonical names.
"""

from __future__ import annotations

import re

from graphql.language import (
    BooleanValueNode,
    DefinitionNode,
    DirectiveNode,
    DocumentNode,
    ListValueNode,
    NamedTypeNode,
    NameNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    TypeNode,
    ValueNode,
    Visitor,
)

from .model import Link

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
    "cacheTag",
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
    "cacheTag": 12,
}


class UnknownImport(Exception):
    """A `@link(import:)` names something the federation spec does not define."""


_ROOTS = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}


def _arg(node: DirectiveNode, name: str) -> ValueNode | None:
    for a in node.arguments or ():
        if a.name.value == name:
            return a.value
    return None


def str_arg(node: DirectiveNode, name: str) -> str | None:
    v = _arg(node, name)
    return v.value if isinstance(v, StringValueNode) else None


def bool_arg(node: DirectiveNode, name: str, default: bool) -> bool:
    v = _arg(node, name)
    return v.value if isinstance(v, BooleanValueNode) else default


def schema_directives(doc: DocumentNode) -> list[DirectiveNode]:
    out: list[DirectiveNode] = []
    for d in doc.definitions:
        if isinstance(d, SchemaDefinitionNode | SchemaExtensionNode):
            out.extend(d.directives or ())
    return out


def federation_names(doc: DocumentNode) -> tuple[int, int, dict[str, str], list[Link]]:
    """Federation version (major, minor) and the local -> canonical directive names."""
    names: dict[str, str] = {}
    links: list[Link] = []
    version = 1
    minor = 0
    unknown: list[str] = []
    for d in schema_directives(doc):
        if d.name.value != "link":
            continue
        url = str_arg(d, "url") or ""
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
            prefix = str_arg(d, "as") or "federation"
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
        raise UnknownImport(*unknown)
    return version, minor, names, links


class Renamer(Visitor):
    """Renames custom root operation types to Query/Mutation/Subscription, as Apollo does."""

    def __init__(self, renames: dict[str, str]) -> None:
        super().__init__()
        self.renames = renames

    def enter_named_type(self, node: NamedTypeNode, *_: object) -> NamedTypeNode | None:
        new = self.renames.get(node.name.value)
        return NamedTypeNode(name=NameNode(value=new)) if new else None


def root_renames(doc: DocumentNode) -> dict[str, str]:
    renames: dict[str, str] = {}
    for d in doc.definitions:
        if isinstance(d, SchemaDefinitionNode | SchemaExtensionNode):
            for op in d.operation_types or ():
                target = _ROOTS[op.operation.value]
                if op.type.name.value != target:
                    renames[op.type.name.value] = target
    return renames


def renamed_definition(d: DefinitionNode, renames: dict[str, str]) -> DefinitionNode:
    if isinstance(d, TypeDefinitionNode | TypeExtensionNode) and d.name.value in renames:
        return replace_node(d, name=NameNode(value=renames[d.name.value]))
    return d


def replace_node(node: DefinitionNode, **changes: object) -> DefinitionNode:
    """A copy of an AST node with some attributes changed (graphql-core nodes are frozen)."""
    kwargs = {k: getattr(node, k) for k in node.keys if k != "loc"}
    kwargs.update(changes)
    return type(node)(**kwargs)


def named_type(node: TypeNode) -> str:
    """The named type at the bottom of a (possibly wrapped) type reference."""
    while not isinstance(node, NamedTypeNode):
        node = node.type  # type: ignore[attr-defined]
    return node.name.value

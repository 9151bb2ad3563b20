"""Which subgraph serves each Subscription field of a supergraph (for forwarding)."""

from __future__ import annotations

from graphql import (
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumValueNode,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    StringValueNode,
    parse,
)


def _arg(directive: object, name: str) -> str | None:
    for a in getattr(directive, "arguments", None) or ():
        if a.name.value == name and isinstance(a.value, StringValueNode | EnumValueNode):
            return str(a.value.value)
    return None


def subscription_owners(sdl: str | DocumentNode) -> dict[str, str]:
    """Subscription field name -> the URL of the one subgraph resolving it.

    Fields resolved by several subgraphs (shareable) go to the first listed.
    """
    document = parse(sdl) if isinstance(sdl, str) else sdl
    urls: dict[str, str] = {}
    subscription = "Subscription"
    for d in document.definitions:
        if isinstance(d, SchemaDefinitionNode):
            for op in d.operation_types:
                if op.operation.value == "subscription":
                    subscription = op.type.name.value
        if isinstance(d, EnumTypeDefinitionNode) and d.name.value == "join__Graph":
            for value in d.values or ():
                for directive in value.directives or ():
                    url = _arg(directive, "url")
                    if directive.name.value == "join__graph" and url is not None:
                        urls[value.name.value] = url
    owners: dict[str, str] = {}
    for d in document.definitions:
        if not isinstance(d, ObjectTypeDefinitionNode) or d.name.value != subscription:
            continue
        type_graphs = [
            g
            for x in d.directives or ()
            if x.name.value == "join__type" and (g := _arg(x, "graph"))
        ]
        for f in d.fields or ():
            graphs = [
                g
                for x in f.directives or ()
                if x.name.value == "join__field" and (g := _arg(x, "graph"))
            ] or type_graphs
            if graphs and graphs[0] in urls:
                owners[f.name.value] = urls[graphs[0]]
    return owners

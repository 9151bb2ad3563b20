"""Directive definitions in the supergraph: `@composeDirective` ones and executable ones.

Composed directives keep their definition and `@link`; executable directives (usable in
operations only) are kept when every subgraph defines them, with the locations and
arguments all subgraphs agree on, as Apollo does.
"""

from __future__ import annotations

import re

from graphql import print_ast
from graphql.language import (
    ArgumentNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    NameNode,
    NonNullTypeNode,
    StringValueNode,
)

from .errors import CompositionError, subgraph_names
from .model import SubgraphSchema
from .typerefs import merged_input_type

_EXECUTABLE = {
    "QUERY",
    "MUTATION",
    "SUBSCRIPTION",
    "FIELD",
    "FRAGMENT_DEFINITION",
    "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT",
    "VARIABLE_DEFINITION",
}


def composed_directives(subgraphs: list[SubgraphSchema]) -> tuple[list[str], list[str]]:
    """Printed definitions and `@link` applications of every composed directive."""
    defs: dict[str, str] = {}
    links: list[str] = []
    renamed: dict[str, str] = {}
    for s in subgraphs:
        for name in s.composed:
            node = s.directive_defs.get(name)
            if node is None:
                continue
            defs[name] = print_ast(node)  # like Apollo, the last subgraph's definition wins
            for link in s.links:
                if name in link.imports:
                    printed = print_ast(_named_link(link.node, renamed))
                    if printed not in links:
                        links.append(printed)
    return list(defs.values()), links


def executable_directives(
    subgraphs: list[SubgraphSchema],
) -> tuple[list[str], list[CompositionError]]:
    """Executable directive definitions present in all subgraphs, intersected; argument
    types merge to the most restrictive (clients' values must suit every subgraph)."""
    out: list[str] = []
    errors: list[CompositionError] = []
    if not subgraphs:
        return out, errors
    composed = {n for s in subgraphs for n in s.composed}
    for name, first in subgraphs[0].directive_defs.items():
        if name in composed:
            continue
        nodes: list[DirectiveDefinitionNode] = [
            s.directive_defs[name] for s in subgraphs if name in s.directive_defs
        ]
        if len(nodes) < len(subgraphs):
            continue
        locations = [loc.value for loc in first.locations if loc.value in _EXECUTABLE]
        locations = [
            loc for loc in locations if all(loc in {x.value for x in n.locations} for n in nodes)
        ]
        if not locations or any(
            any(loc.value not in _EXECUTABLE for loc in n.locations) for n in nodes
        ):
            continue
        args = []
        for a in first.arguments or ():
            if all(a.name.value in {b.name.value for b in n.arguments or ()} for n in nodes):
                args.append(a)
        for node, sg in zip(nodes, subgraphs, strict=True):
            for a in node.arguments or ():
                required = isinstance(a.type, NonNullTypeNode) and a.default_value is None
                missing = [
                    x.name
                    for x, n in zip(subgraphs, nodes, strict=True)
                    if a.name.value not in {b.name.value for b in n.arguments or ()}
                ]
                if required and missing:
                    coordinate = f"@{name}({a.name.value}:)"
                    errors.append(
                        CompositionError(
                            "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                            f'Argument "{coordinate}" is required in some subgraphs but does not '
                            "appear in all subgraphs: it is required in "
                            f"{subgraph_names([sg.name])} but does not appear in "
                            f"{subgraph_names(missing)}",
                            (sg.name, *missing),
                            (coordinate,),
                        )
                    )
        printed_args = []
        for a in args:
            present = [
                next(b for b in n.arguments or () if b.name.value == a.name.value) for n in nodes
            ]
            merged = merged_input_type([b.type for b in present])
            if merged is None:
                by_type: dict[str, list[str]] = {}
                for sg, b in zip(subgraphs, present, strict=True):
                    by_type.setdefault(print_ast(b.type), []).append(sg.name)
                coordinate = f"@{name}({a.name.value}:)"
                errors.append(
                    CompositionError(
                        "FIELD_ARGUMENT_TYPE_MISMATCH",
                        f'Type of argument "{coordinate}" is incompatible across subgraphs: it has '
                        + " but ".join(
                            f'type "{t}" in {subgraph_names(v)}' for t, v in by_type.items()
                        ),
                        tuple(sg.name for sg in subgraphs),
                        (coordinate,),
                    )
                )
                continue
            default = f" = {print_ast(a.default_value)}" if a.default_value else ""
            printed_args.append(f"{a.name.value}: {print_ast(merged)}{default}")
        arg_text = "(" + ", ".join(printed_args) + ")" if printed_args else ""
        repeatable = " repeatable" if all(n.repeatable for n in nodes) else ""
        out.append(f"directive @{name}{arg_text}{repeatable} on {' | '.join(locations)}")
    return out, errors


_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


def _named_link(node: DirectiveNode, renamed: dict[str, str]) -> DirectiveNode:
    """The `@link` as the supergraph prints it: a spec whose URL name is no GraphQL name
    (`.../event-source/v0.1`) gets `as: "_<n><name without the bad characters>"` like
    Apollo, n counting such specs in order; `renamed` maps URL -> that name across calls."""
    args = {a.name.value: a.value for a in node.arguments or ()}
    url = args.get("url")
    if "as" in args or not isinstance(url, StringValueNode):
        return node
    parts = [p for p in url.value.split("/") if p]
    name = parts[-2] if len(parts) >= 2 and re.fullmatch(r"v\d+(\.\d+)?", parts[-1]) else ""
    if not name or _GRAPHQL_NAME.fullmatch(name):
        return node
    alias = renamed.setdefault(url.value, f"_{len(renamed)}" + re.sub(r"[^_0-9A-Za-z]", "", name))
    as_arg = ArgumentNode(name=NameNode(value="as"), value=StringValueNode(value=alias))
    arguments = list(node.arguments or ())
    arguments.insert(1, as_arg)
    return DirectiveNode(name=node.name, arguments=tuple(arguments))

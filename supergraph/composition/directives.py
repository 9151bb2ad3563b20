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
    InputValueDefinitionNode,
    NameNode,
    NonNullTypeNode,
    StringValueNode,
)
from graphql.language.block_string import print_block_string

from .errors import CompositionError, subgraph_names
from .hints import CompositionHint, merged_description, mismatch, presence
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
    """Printed definitions and `@link` applications of every composed directive; a spec
    composed from several minor versions is linked once, at the newest (like Apollo)."""
    defs: dict[str, str] = {}
    links: dict[str, tuple[tuple[int, int], str]] = {}  # identity -> (version, printed)
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
                    identity, version = _versioned(link.url)
                    if identity not in links or version > links[identity][0]:
                        links[identity] = (version, printed)
    return list(defs.values()), [printed for _, printed in links.values()]


def _versioned(url: str) -> tuple[str, tuple[int, int]]:
    match = re.match(r"^(.+)/v(\d+)\.(\d+)/?$", url)
    if match is None:
        return url, (0, 0)
    return match.group(1), (int(match.group(2)), int(match.group(3)))


def executable_directives(
    subgraphs: list[SubgraphSchema],
) -> tuple[list[str], list[CompositionError], list[CompositionHint]]:
    """Executable directive definitions present in all subgraphs, intersected; argument
    types merge to the most restrictive (clients' values must suit every subgraph).
    Hints say what was left out or narrowed, as Apollo's do."""
    out: list[str] = []
    errors: list[CompositionError] = []
    hints: list[CompositionHint] = []
    composed = {n for s in subgraphs for n in s.composed}
    names: list[str] = []
    for s in subgraphs:
        names.extend(
            n
            for n, d in s.directive_defs.items()
            if n not in names and n not in composed and _executable_only(d)
        )
    for name in names:
        merged = _merge_executable(name, subgraphs, errors, hints)
        if merged is not None:
            out.append(merged)
    return out, errors, hints


def _executable_only(node: DirectiveDefinitionNode) -> bool:
    return all(loc.value in _EXECUTABLE for loc in node.locations)


def _locations(node: DirectiveDefinitionNode) -> str:
    locs = sorted(loc.value for loc in node.locations if loc.value in _EXECUTABLE)
    return ("location " if len(locs) == 1 else "locations ") + f'"{", ".join(locs)}"'


def _merge_executable(
    name: str,
    subgraphs: list[SubgraphSchema],
    errors: list[CompositionError],
    hints: list[CompositionHint],
) -> str | None:
    coordinate = f"@{name}"
    defined = [(s.name, s.directive_defs[name]) for s in subgraphs if name in s.directive_defs]
    everywhere = [g.name for g in subgraphs]
    locations: list[str] | None = None
    for s in subgraphs:
        node = s.directive_defs.get(name)
        if node is None:
            hints.append(
                CompositionHint(
                    "INCONSISTENT_EXECUTABLE_DIRECTIVE_PRESENCE",
                    f'Executable directive "{coordinate}" will not be part of the supergraph as '
                    "it does not appear in all subgraphs: "
                    + presence(
                        [n for n, _ in defined],
                        [n for n in everywhere if name not in _defs(subgraphs, n)],
                    ),
                    tuple(everywhere),
                    (coordinate,),
                )
            )
            return None
        own = [loc.value for loc in node.locations]
        locations = own if locations is None else [loc for loc in locations if loc in own]
        if not locations:
            hints.append(
                CompositionHint(
                    "NO_EXECUTABLE_DIRECTIVE_INTERSECTION",
                    f'Executable directive "{coordinate}" has no location that is common to all '
                    "subgraphs: "
                    + mismatch(
                        "",
                        [(n, _locations(d)) for n, d in defined],
                        lambda _, __: (
                            "it will not appear in the supergraph as there no intersection between "
                        ),
                        lambda locs, names: f"{locs} in {names}",
                    )
                    + ".",
                    tuple(n for n, _ in defined),
                    (coordinate,),
                )
            )
            return None
    if not _executable_only(defined[0][1]) or not all(_executable_only(d) for _, d in defined):
        return None
    nodes = [d for _, d in defined]
    first = nodes[0]
    assert locations is not None
    repeatable = all(n.repeatable for n in nodes)
    description, hint = merged_description(
        f'Element "{coordinate}"', [(sg, _text(d)) for sg, d in defined], coordinate
    )
    hints.extend([hint] if hint else [])
    if not repeatable and any(n.repeatable for n in nodes):
        hints.append(
            CompositionHint(
                "INCONSISTENT_EXECUTABLE_DIRECTIVE_REPEATABLE",
                f'Executable directive "{coordinate}" will not be marked repeatable in the '
                "supergraph as it is inconsistently marked repeatable in subgraphs: "
                + mismatch(
                    "no",
                    [(n, "yes" if d.repeatable else "no") for n, d in defined],
                    lambda _, names: f"it is not repeatable in {names}",
                    lambda _, names: f" but is repeatable in {names}",
                )
                + ".",
                tuple(everywhere),
                (coordinate,),
            )
        )
    merged_locs = sorted(locations)
    if len({_locations(d) for d in nodes}) > 1:
        label = ("location " if len(merged_locs) == 1 else "locations ") + (
            f'"{", ".join(merged_locs)}"'
        )
        hints.append(
            CompositionHint(
                "INCONSISTENT_EXECUTABLE_DIRECTIVE_LOCATIONS",
                f'Executable directive "{coordinate}" has inconsistent locations across '
                "subgraphs "
                + mismatch(
                    label,
                    [(n, _locations(d)) for n, d in defined],
                    lambda locs, names: (
                        f"and will use {locs} (intersection of all subgraphs) "
                        "in the supergraph, but has: "
                        + (f"{locs} in {names} and " if names else "")
                    ),
                    lambda locs, names: f"{locs} in {names}",
                )
                + ".",
                tuple(everywhere),
                (coordinate,),
            )
        )
    args = []
    arg_names: list[str] = []
    for n in nodes:
        arg_names.extend(a.name.value for a in n.arguments or () if a.name.value not in arg_names)
    for arg_name in arg_names:
        arg_coordinate = f"@{name}({arg_name}:)"
        present = [(sg, _arg(d, arg_name)) for sg, d in defined]
        have = [(sg, a) for sg, a in present if a is not None]
        if len(have) < len(present):
            required = [
                sg
                for sg, a in have
                if isinstance(a.type, NonNullTypeNode) and a.default_value is None
            ]
            missing = [sg for sg, a in present if a is None]
            if required:
                for sg in required:
                    errors.append(
                        CompositionError(
                            "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                            f'Argument "{arg_coordinate}" is required in some subgraphs but does '
                            "not appear in all subgraphs: it is required in "
                            f"{subgraph_names([sg])} but does not appear in "
                            f"{subgraph_names(missing)}",
                            (sg, *missing),
                            (arg_coordinate,),
                        )
                    )
            else:
                hints.append(
                    CompositionHint(
                        "INCONSISTENT_ARGUMENT_PRESENCE",
                        f'Optional argument "{arg_coordinate}" will not be included in the '
                        "supergraph as it does not appear in all subgraphs: "
                        + presence([sg for sg, _ in have], missing),
                        tuple(everywhere),
                        (arg_coordinate,),
                    )
                )
            continue
        args.append((arg_coordinate, have))
    printed_args = [
        p for c, have in args if (p := _merge_executable_arg(c, have, everywhere, errors, hints))
    ]
    arg_text = "(" + ", ".join(t for _, t in printed_args) + ")" if printed_args else ""
    if any(d for d, _ in printed_args):
        lines = [_block(d, "  ") + "  " + t for d, t in printed_args]
        arg_text = "(\n" + "\n".join(lines) + "\n)"
    repeat = " repeatable" if repeatable else ""
    ordered = [loc.value for loc in first.locations if loc.value in locations]
    head = _block(description, "")
    return f"{head}directive @{name}{arg_text}{repeat} on {' | '.join(ordered)}"


def _text(node: DirectiveDefinitionNode | InputValueDefinitionNode) -> str | None:
    return node.description.value if node.description is not None else None


def _block(description: str | None, indent: str) -> str:
    """A description as printed above a definition (Apollo's block string)."""
    if not description:
        return ""
    return indent + print_block_string(description).replace("\n", "\n" + indent) + "\n"


def _merge_executable_arg(
    arg_coordinate: str,
    have: list[tuple[str, InputValueDefinitionNode]],
    everywhere: list[str],
    errors: list[CompositionError],
    hints: list[CompositionHint],
) -> tuple[str | None, str] | None:
    """One argument every subgraph declares: its description and printed definition, of
    the most restrictive type; a default only when every subgraph has the same one."""
    description, hint = merged_description(
        f'Element "{arg_coordinate}"', [(sg, _text(a)) for sg, a in have], arg_coordinate
    )
    hints.extend([hint] if hint else [])
    values = [a for _, a in have]
    merged = merged_input_type([b.type for b in values])
    if merged is None:
        by_type: dict[str, list[str]] = {}
        for sg, b in have:
            by_type.setdefault(print_ast(b.type), []).append(sg)
        errors.append(
            CompositionError(
                "FIELD_ARGUMENT_TYPE_MISMATCH",
                f'Type of argument "{arg_coordinate}" is incompatible across subgraphs: it has '
                + " but ".join(f'type "{t}" in {subgraph_names(v)}' for t, v in by_type.items()),
                tuple(everywhere),
                (arg_coordinate,),
            )
        )
        return None
    if len({print_ast(b.type) for b in values}) > 1:
        hints.append(
            CompositionHint(
                "INCONSISTENT_BUT_COMPATIBLE_ARGUMENT_TYPE",
                f'Type of argument "{arg_coordinate}" is inconsistent but compatible across '
                "subgraphs: "
                + mismatch(
                    print_ast(merged),
                    [(sg, print_ast(b.type)) for sg, b in have],
                    lambda t, names: (
                        f'will use type "{t}" (from {names}) in supergraph but '
                        f'"{arg_coordinate}" has '
                    ),
                    lambda t, names: f'supertype "{t}" in {names}',
                )
                + ".",
                tuple(sg for sg, _ in have),
                (arg_coordinate,),
            )
        )
    defaults = [print_ast(b.default_value) if b.default_value else "" for b in values]
    default = defaults[0]
    if len(set(defaults)) > 1 and len(set(defaults) - {""}) == 1:
        hints.append(
            CompositionHint(
                "INCONSISTENT_DEFAULT_VALUE_PRESENCE",
                f'Argument "{arg_coordinate}" has a default value in only some subgraphs: '
                + mismatch(
                    "",
                    [(sg, d) for (sg, _), d in zip(have, defaults, strict=True)],
                    lambda _, names: (
                        "will not use a default in the supergraph (there is "
                        f"no default in {names}) but "
                    ),
                    lambda d, names: f'"{arg_coordinate}" has default value {d} in {names}',
                )
                + ".",
                tuple(sg for sg, _ in have),
                (arg_coordinate,),
            )
        )
        default = ""
    suffix = f" = {default}" if default else ""
    return description, f"{values[0].name.value}: {print_ast(merged)}{suffix}"


def _defs(subgraphs: list[SubgraphSchema], name: str) -> dict[str, DirectiveDefinitionNode]:
    return next(s.directive_defs for s in subgraphs if s.name == name)


def _arg(node: DirectiveDefinitionNode, name: str) -> InputValueDefinitionNode | None:
    return next((a for a in node.arguments or () if a.name.value == name), None)


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

"""Semantic equality of two supergraph SDLs (ours vs Apollo's, or committed vs fresh).

Two supergraphs are equal when their API schemas (join/link machinery and
`@inaccessible` elements removed) print the same under a lexicographic sort, and every
element carries the same set of applied directives (join metadata, `@tag`,
`@inaccessible`, composed directives), compared without regard to order, defaulted
arguments or field-set whitespace.
"""

from __future__ import annotations

import difflib
from typing import Any

from graphql import build_ast_schema, lexicographic_sort_schema, parse, print_ast, print_schema
from graphql.language import (
    REMOVE,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumValueDefinitionNode,
    FieldDefinitionNode,
    InputValueDefinitionNode,
    ListValueNode,
    NamedTypeNode,
    ObjectValueNode,
    ScalarTypeDefinitionNode,
    SchemaDefinitionNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    ValueNode,
    Visitor,
    visit,
)

from .fieldset import normalize_field_set

_KEPT_IN_API = {"deprecated", "specifiedBy", "oneOf"}
_DEFAULTS = {
    ("join__type", "extension"): "false",
    ("join__type", "resolvable"): "true",
    ("join__type", "isInterfaceObject"): "false",
    ("join__field", "external"): "false",
    ("join__field", "usedOverridden"): "false",
}
_FIELD_SETS = {"key", "requires", "provides"}


# Linked specs whose definitions are machinery, not API: (prefix of their types and
# secondary directives, their directives' default names).
_SPEC_PREFIXES = ("join__", "link__", "context__", "requiresScopes__", "policy__", "cost__")
_SPEC_DIRECTIVES = {"link", "inaccessible", "tag", "context", "authenticated", "requiresScopes"}
_SPEC_DIRECTIVES |= {"policy", "cost", "listSize"}


def _machinery(name: str) -> bool:
    return name.startswith(_SPEC_PREFIXES) or name in _SPEC_DIRECTIVES


class _ApiSchema(Visitor):
    """Strips what the API schema does not expose."""

    def __init__(self, hidden_types: set[str]) -> None:
        super().__init__()
        self.hidden_types = hidden_types

    def enter_named_type(self, node: NamedTypeNode, _key: Any, parent: Any, *_: Any) -> Any:
        # Union members and implemented interfaces that are inaccessible disappear.
        if isinstance(parent, list | tuple) and node.name.value in self.hidden_types:
            return REMOVE
        return None

    def enter(self, node: Any, *_: Any) -> Any:
        if isinstance(node, TypeDefinitionNode | DirectiveDefinitionNode) and _machinery(
            node.name.value
        ):
            return REMOVE
        if isinstance(node, DirectiveDefinitionNode) and any(
            _machinery(print_ast(a.type).strip("[]!").rstrip("]!")) for a in node.arguments or ()
        ):
            return REMOVE  # a linked spec's directive under another name (`as:`)
        directives = getattr(node, "directives", None) or ()
        if any(d.name.value == "inaccessible" for d in directives):
            return REMOVE
        return None

    def enter_directive(self, node: DirectiveNode, *_: Any) -> Any:
        return None if node.name.value in _KEPT_IN_API else REMOVE


def api_schema(sdl: str) -> str:
    """The API schema clients see, printed in lexicographic order."""
    parsed = parse(sdl)
    hidden = {
        d.name.value
        for d in parsed.definitions
        if isinstance(d, TypeDefinitionNode)
        and any(x.name.value == "inaccessible" for x in d.directives or ())
    }
    doc = visit(parsed, _ApiSchema(hidden))
    return print_schema(lexicographic_sort_schema(build_ast_schema(doc)))


def _value(node: ValueNode) -> str:
    """A value printed with object fields and `contextArguments` entries in a fixed order."""
    if isinstance(node, ObjectValueNode):
        fields = sorted(node.fields, key=lambda f: f.name.value)
        return "{" + ", ".join(f"{f.name.value}: {_value(f.value)}" for f in fields) + "}"
    if isinstance(node, ListValueNode):
        return "[" + ", ".join(_value(v) for v in node.values) + "]"
    return print_ast(node)


def _directive(node: DirectiveNode) -> str:
    name = node.name.value
    args: list[str] = []
    for a in sorted(node.arguments or (), key=lambda x: x.name.value):
        value = _value(a.value)
        if a.name.value == "contextArguments" and isinstance(a.value, ListValueNode):
            value = "[" + ", ".join(sorted(_value(v) for v in a.value.values)) + "]"
        if _DEFAULTS.get((name, a.name.value)) == value:
            continue
        if a.name.value in _FIELD_SETS and isinstance(a.value, StringValueNode):
            value = repr(normalize_field_set(a.value.value))
        args.append(f"{a.name.value}: {value}")
    return f"@{name}({', '.join(args)})" if args else f"@{name}"


def _definition(d: DirectiveDefinitionNode) -> str:
    """A directive definition without descriptions."""
    args = [
        f"{a.name.value}: {print_ast(a.type)}"
        + (f" = {print_ast(a.default_value)}" if a.default_value else "")
        for a in d.arguments or ()
    ]
    repeatable = " repeatable" if d.repeatable else ""
    locations = " | ".join(loc.value for loc in d.locations)
    return f"({', '.join(args)}){repeatable} on {locations}"


def metadata(sdl: str) -> dict[str, frozenset[str]]:
    """Applied directives per schema coordinate, as sets."""
    out: dict[str, set[str]] = {}

    def add(coordinate: str, directives: Any) -> None:
        out.setdefault(coordinate, set()).update(_directive(d) for d in directives or ())

    doc: DocumentNode = parse(sdl)
    for d in doc.definitions:
        if isinstance(d, SchemaDefinitionNode):
            add("schema", d.directives)
        if isinstance(d, DirectiveDefinitionNode):
            # Definitions too: a linked spec's directive must be declared as Apollo does.
            out.setdefault(f"directive @{d.name.value}", set()).add(_definition(d))
        if isinstance(d, ScalarTypeDefinitionNode) and _machinery(d.name.value):
            out.setdefault(f"scalar {d.name.value}", set()).add("defined")
        if not isinstance(d, TypeDefinitionNode | TypeExtensionNode):
            continue
        name = d.name.value
        add(name, d.directives)
        for member in getattr(d, "fields", None) or getattr(d, "values", None) or ():
            coordinate = f"{name}.{member.name.value}"
            add(coordinate, member.directives)
            if isinstance(member, FieldDefinitionNode):
                for arg in member.arguments or ():
                    add(f"{coordinate}({arg.name.value}:)", arg.directives)
            assert isinstance(
                member, FieldDefinitionNode | InputValueDefinitionNode | EnumValueDefinitionNode
            )
    return {k: frozenset(v) for k, v in out.items() if v}


def supergraph_differences(ours: str, theirs: str) -> list[str]:
    """Human-readable differences; empty when the supergraphs are semantically equal."""
    problems: list[str] = []
    api_a, api_b = api_schema(ours), api_schema(theirs)
    if api_a != api_b:
        diff = difflib.unified_diff(
            api_b.splitlines(), api_a.splitlines(), "theirs", "ours", lineterm=""
        )
        problems.append("API schemas differ:\n" + "\n".join(diff))
    meta_a, meta_b = metadata(ours), metadata(theirs)
    for coordinate in sorted(set(meta_a) | set(meta_b)):
        a, b = meta_a.get(coordinate, frozenset()), meta_b.get(coordinate, frozenset())
        if a != b:
            problems.append(f"{coordinate}: only ours {sorted(a - b)}, only theirs {sorted(b - a)}")
    return problems


def same_supergraph(ours: str, theirs: str) -> bool:
    return not supergraph_differences(ours, theirs)


__all__ = ["api_schema", "metadata", "same_supergraph", "supergraph_differences"]

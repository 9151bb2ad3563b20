"""What composition reads into a subgraph beyond its text: federation 1's implicit rules
(every field shareable, `@external` key fields of an extension not really external),
`@context` names qualified by their subgraph, and key and provided fields shareable.
"""

from __future__ import annotations

from graphql import (
    GraphQLError,
    print_ast,
)
from graphql.language import (
    ArgumentNode,
    DirectiveNode,
    FieldNode,
    NameNode,
    SelectionSetNode,
    StringValueNode,
)

from .fieldset import field_paths, parse_field_set
from .model import SubgraphSchema
from .subgraph_sdl import (
    named_type,
    str_arg,
)


def apply_fed1_semantics(schema: SubgraphSchema) -> None:
    """Apollo's federation 1 upgrade: all fields shareable, key fields of extensions not
    external (done in `fold` for every version),
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


def qualify_contexts(schema: SubgraphSchema) -> None:
    """Context names are per subgraph: the supergraph's `@context(name:)` is
    `<subgraph>__<name>`, as the `contextArguments` of `@join__field` refer to it."""
    for t in schema.types.values():
        t.directives = [
            DirectiveNode(
                name=d.name,
                arguments=(
                    ArgumentNode(
                        name=NameNode(value="name"),
                        value=StringValueNode(value=f"{schema.name}__{str_arg(d, 'name')}"),
                    ),
                ),
            )
            if d.name.value == "context"
            else d
            for d in t.directives
        ]


def mark_key_and_provided_fields_shareable(schema: SubgraphSchema) -> None:
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

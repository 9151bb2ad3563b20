"""Objects and interfaces: the union of their interfaces and fields across subgraphs.

A field's supergraph type is the most general one the resolving subgraphs declare;
`@external` copies only need to agree with one of them. `@join__field` is printed only
when the field differs somewhere (missing, typed differently, external, overridden...),
as Apollo does, so that simple graphs stay readable.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphql import parse_type

from ..applications import merge_applications
from ..context import context_arguments
from ..errors import subgraph_names
from ..hints import mismatch
from ..model import Field, InputValue
from ..subgraph_sdl import named_type
from ..supermodel import JoinField, MergedField, MergedType
from ..typerefs import is_subtype, merged_output_type, type_str
from .arguments import merge_args
from .overrides import overrides
from .sharing import check_sharing
from .state import (
    MergeState,
    Source,
    default_label,
    differences,
    type_label,
    value_str,
)


def merge_composite(state: MergeState, merged: MergedType, sources: list[Source]) -> None:
    for s in sources:
        for i in s.type.interfaces:
            if i not in merged.interfaces:
                merged.interfaces.append(i)
            merged.implements.append((s.graph, i))
    field_names: list[str] = []
    for s in sources:
        field_names.extend(f for f in s.type.fields if f not in field_names)
    value_type = not any(s.type.keys for s in sources) and merged.name not in _ROOTS
    for fname in field_names:
        if value_type:
            _hint_value_type_field(state, merged, sources, fname)
        present = [(s, s.type.fields[fname]) for s in sources if fname in s.type.fields]
        missing_somewhere = len(present) < len(sources) or (
            merged.name == "Query" and len(present) < len(state.subgraphs)
        )
        f = _merge_field(state, merged, present, missing_somewhere)
        if f is not None:
            merged.fields[fname] = f


_ROOTS = {"Query", "Mutation", "Subscription"}


def _hint_value_type_field(
    state: MergeState, merged: MergedType, sources: list[Source], fname: str
) -> None:
    """A field of a type without keys missing in a subgraph defining the type: that
    subgraph cannot resolve it, which may surprise (Apollo's value type field hints)."""
    lacking = [
        s
        for s in sources
        if not s.type.interface_object
        and fname not in s.type.fields
        and not all(f.external for f in s.type.fields.values())
    ]
    if not lacking or (
        merged.kind == "interface"
        and any(
            t.interface_object and fname in t.fields
            for g in state.subgraphs
            if (t := g.types.get(merged.name)) is not None
        )
    ):
        return
    coordinate = f"{merged.name}.{fname}"
    code, what = (
        ("INCONSISTENT_OBJECT_VALUE_TYPE_FIELD", "non-entity object")
        if merged.kind == "object"
        else ("INCONSISTENT_INTERFACE_VALUE_TYPE_FIELD", "interface")
    )
    defined = [s.name for s in sources if fname in s.type.fields]
    missing = [s.name for s in sources if fname not in s.type.fields]
    state.hint(
        code,
        f'Field "{coordinate}" of {what} type "{merged.name}" is defined in some but not all '
        f'subgraphs that define "{merged.name}": "{coordinate}" is defined in '
        f"{subgraph_names(defined)} but not in {subgraph_names(missing)}.",
        [s.name for s in sources],
        coordinate,
    )


def _merge_field(
    state: MergeState, merged: MergedType, present: list[tuple[Source, Field]], missing: bool
) -> MergedField | None:
    fname = present[0][1].name
    coordinate = f"{merged.name}.{fname}"
    overridden, used_overridden = overrides(state, merged, present)
    non_external = [(s, f) for s, f in present if not f.external]
    if (
        not non_external
        and (merged.kind == "object" or any(s.type.interface_object for s, _ in present))
        and not _from_interface_object(state, merged, fname)
    ):
        state.error(
            "EXTERNAL_MISSING_ON_BASE",
            f'Field "{coordinate}" is marked @external on all the subgraphs in which it is '
            f"listed ({subgraph_names([s.name for s, _ in present])}).",
            [s.name for s, _ in present],
            coordinate,
        )
        return None
    typed = non_external or present
    field_type = merged_output_type([f.type for _, f in typed], state.possible)
    if field_type is None:
        _type_mismatch(state, "FIELD_TYPE_MISMATCH", coordinate, typed)
        return None
    # An @external copy must repeat the type exactly (one of them, if they differ).
    resolved_types = {type_str(f.type) for _, f in typed}
    for _, f in present:
        if f.external and type_str(f.type) not in resolved_types:
            _type_mismatch(
                state,
                "EXTERNAL_TYPE_MISMATCH",
                coordinate,
                present,
                " (where marked @external)",
                first=type_label(field_type),
            )
            return None
    all_equal = len({type_str(f.type) for _, f in present}) == 1
    if len(resolved_types) > 1:
        state.hint(
            "INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE",
            f'Type of field "{coordinate}" is inconsistent but compatible across subgraphs: '
            + mismatch(
                type_str(field_type),
                [(s.name, type_str(f.type)) for s, f in typed],
                lambda t, names: (
                    f'will use type "{t}" (from {names}) in supergraph but "{coordinate}" has '
                ),
                lambda t, names: f'subtype "{t}" in {names}',
            )
            + ".",
            [s.name for s, _ in typed],
            coordinate,
        )
    state.output_uses.setdefault(named_type(field_type), coordinate)
    if merged.kind == "object":
        check_sharing(state, coordinate, merged.name, present, overridden)
    result = MergedField(
        name=fname,
        type=type_str(field_type),
        args=merge_args(state, coordinate, [f for _, f in typed], [s.name for s, _ in typed]),
        description=state.merge_description(
            coordinate, [(s.name, f.description) for s, f in non_external]
        ),
        directives=merge_applications(
            (f.directives for _, f in present),
            access_first=state.access_order,
            report=state.applications(coordinate, [s.name for s, _ in present]),
        ),
    )
    if non_external and not _external_args_match(state, coordinate, result, present):
        return None
    needs_join = (
        missing
        or not all_equal
        or bool(overridden)
        or any(
            f.external or f.requires or f.provides or f.override in state.graphs for _, f in present
        )
        or any(a.from_context is not None for _, f in present for a in f.args.values())
    )
    if needs_join:
        for s, f in present:
            label = state.progressive.get((coordinate, s.name))
            if s.name in overridden and s.name not in used_overridden and label is None:
                continue
            result.joins.append(
                JoinField(
                    graph=s.graph,
                    requires=f.requires,
                    provides=f.provides,
                    type=None if all_equal else type_str(f.type),
                    external=f.external,
                    override=f.override,
                    override_label=f.override_label if label is None else label,
                    used_overridden=s.name in used_overridden,
                    context_arguments=context_arguments(s.name, f),
                )
            )
    return result


def _from_interface_object(state: MergeState, merged: MergedType, fname: str) -> bool:
    """An @interfaceObject of one of the type's interfaces resolves the field for every
    implementation, so it may be @external wherever the object itself lists it."""
    return any(
        t.interface_object and fname in t.fields and not t.fields[fname].external
        for s in state.subgraphs
        for i in merged.interfaces
        if (t := s.types.get(i)) is not None
    )


def _external_args_match(
    state: MergeState, coordinate: str, merged: MergedField, present: list[tuple[Source, Field]]
) -> bool:
    """An @external copy must declare the merged arguments, same types and defaults."""
    ok = True
    for arg in merged.args:
        arg_coordinate = f"{coordinate}({arg.name}:)"
        externals = [(s, f) for s, f in present if f.external]
        sources = [(s.name, f.args.get(arg.name)) for s, f in present]
        if any(arg.name not in f.args for _, f in externals):
            declared = [n for n, a in sources if a is not None]
            missing = [n for n, a in sources if a is None]
            state.error(
                "EXTERNAL_ARGUMENT_MISSING",
                f'Field "{coordinate}" is missing argument "{arg_coordinate}" in some '
                f'subgraphs where it is marked @external: argument "{arg_coordinate}" is '
                f"declared in {subgraph_names(declared)} but not in "
                f'{subgraph_names(missing)} (where "{coordinate}" is @external).',
                [n for n, _ in sources],
                arg_coordinate,
            )
            ok = False
            continue
        merged_type = parse_type(arg.type)
        described = [(n, a) for n, a in sources if a is not None]
        if any(
            type_str(f.args[arg.name].type) != arg.type
            and not is_subtype(merged_type, f.args[arg.name].type, {})
            for _, f in externals
        ):
            labels = [(n, type_label(a.type)) for n, a in described]
            what = f'Type of argument "{arg_coordinate}" is incompatible'
            _external_mismatch(
                state, "EXTERNAL_ARGUMENT_TYPE_MISMATCH", what, arg_coordinate, coordinate, labels
            )
            ok = False
        if any(value_str(f.args[arg.name].default) != arg.default for _, f in externals):
            labels = [(n, default_label(a.default)) for n, a in described]
            what = f'Argument "{arg_coordinate}" has incompatible defaults'
            _external_mismatch(
                state,
                "EXTERNAL_ARGUMENT_DEFAULT_MISMATCH",
                what,
                arg_coordinate,
                coordinate,
                labels,
            )
            ok = False
    return ok


def _external_mismatch(
    state: MergeState,
    code: str,
    what: str,
    arg_coordinate: str,
    coordinate: str,
    labels: list[tuple[str, str]],
) -> None:
    """An argument of an @external field disagreeing with the merged one (Apollo's words)."""
    state.error(
        code,
        f'{what} across subgraphs (where "{coordinate}" is marked @external): it has '
        + differences(labels),
        [n for n, _ in labels],
        arg_coordinate,
    )


def _type_mismatch(
    state: MergeState,
    code: str,
    coordinate: str,
    present: Sequence[tuple[Source, Field | InputValue]],
    where: str = "",
    first: str | None = None,
) -> None:
    """Apollo's wording; `first` puts the supergraph's type first, as Apollo does."""
    state.error(
        code,
        f'Type of field "{coordinate}" is incompatible across subgraphs{where}: it has '
        + differences(((s.name, type_label(f.type)) for s, f in present), first),
        [s.name for s, _ in present],
        coordinate,
    )

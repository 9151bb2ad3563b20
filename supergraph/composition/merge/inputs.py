"""Input objects: only the fields every subgraph defines (a client's object must be
accepted by all), a required field missing somewhere is an error, and the merged type
must not end up empty (INCONSISTENT_INPUT_OBJECT_FIELD names each field left out)."""

from __future__ import annotations

from ..errors import subgraph_names
from ..hints import presence
from ..supermodel import JoinField, MergedField, MergedType
from ..typerefs import type_str
from .arguments import is_required, merge_input_value
from .state import MergeState, Source


def merge_input(state: MergeState, merged: MergedType, sources: list[Source]) -> None:
    names: list[str] = []
    for s in sources:
        names.extend(f for f in s.type.input_fields if f not in names)
    for name in names:
        coordinate = f"{merged.name}.{name}"
        present = [(s, s.type.input_fields[name]) for s in sources if name in s.type.input_fields]
        value = merge_input_value(
            state,
            "field",
            "Input field",
            "INPUT_FIELD",
            coordinate,
            [(s.name, v) for s, v in present],
        )
        if len(present) < len(sources):
            required = [s.name for s, v in present if is_required(v)]
            if required:
                missing = [s.name for s in sources if name not in s.type.input_fields]
                state.error(
                    "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
                    f'Input object field "{coordinate}" is required in some subgraphs but '
                    f"does not appear in all subgraphs: it is required in "
                    f"{subgraph_names(required)} but does not appear in "
                    f"{subgraph_names(missing)}",
                    [s.name for s in sources],
                    coordinate,
                )
            else:
                defined = [s.name for s, _ in present]
                state.hint(
                    "INCONSISTENT_INPUT_OBJECT_FIELD",
                    f'Input object field "{name}" will not be added to "{merged.name}" in the '
                    "supergraph as it does not appear in all subgraphs: "
                    + presence(defined, [g.name for g in state.subgraphs if g.name not in defined]),
                    [g.name for g in state.subgraphs],
                    coordinate,
                )
            continue
        if value is None:
            continue
        f = MergedField(
            name=name,
            type=value.type,
            description=value.description,
            directives=value.directives,
            default=value.default,
        )
        if len({type_str(v.type) for _, v in present}) > 1:
            f.joins = [JoinField(graph=s.graph, type=type_str(v.type)) for s, v in present]
        merged.fields[name] = f
    if not merged.fields and names:
        state.error(
            "EMPTY_MERGED_INPUT_TYPE",
            f'None of the fields of input object type "{merged.name}" are consistently '
            "defined in all the subgraphs defining that type. As only fields common to all "
            "subgraphs are merged, this would result in an empty type.",
            [s.name for s in sources],
            merged.name,
        )

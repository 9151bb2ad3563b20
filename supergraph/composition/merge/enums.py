"""Enums, merged after everything else because the rule depends on where they are used:
output-only enums take the union of values (the gateway may receive any), input-only
ones the intersection (every subgraph must accept what is sent), both: all equal."""

from __future__ import annotations

from ..applications import merge_applications
from ..errors import subgraph_names
from ..supermodel import MergedType, MergedValue
from .state import MergeState, Source


def merge_enum(state: MergeState, merged: MergedType, sources: list[Source]) -> None:
    as_input = merged.name in state.input_uses
    as_output = merged.name in state.output_uses
    if not as_input and not as_output:
        state.hint(
            "UNUSED_ENUM_TYPE",
            f'Enum type "{merged.name}" is defined but unused. It will be included in the '
            'supergraph with all the values appearing in any subgraph ("as if" it was only '
            "used as an output type).",
            [s.name for s in sources],
            merged.name,
        )
    names: list[str] = []
    for s in sources:
        names.extend(v for v in s.type.values if v not in names)
    for name in names:
        present = [(s, s.type.values[name]) for s in sources if name in s.type.values]
        value = MergedValue(
            name=name,
            description=state.merge_description(
                f"{merged.name}.{name}", [(s.name, v.description) for s, v in present]
            ),
            directives=merge_applications(
                (v.directives for _, v in present),
                report=state.applications(f"{merged.name}.{name}", [s.name for s, _ in present]),
            ),
            graphs=[s.graph for s, _ in present],
        )
        inaccessible = any(d.startswith("@inaccessible") for d in value.directives)
        defined = [s.name for s, _ in present]
        missing = [s.name for s in sources if name not in s.type.values]
        if missing and not as_input:
            state.hint(
                "INCONSISTENT_ENUM_VALUE_FOR_OUTPUT_ENUM",
                f'Value "{name}" of enum type "{merged.name}" has been added to the supergraph '
                "but is only defined in a subset of the subgraphs defining "
                f'"{merged.name}": "{name}" is defined in {subgraph_names(defined)} but not in '
                f"{subgraph_names(missing)}.",
                [s.name for s in sources],
                f"{merged.name}.{name}",
            )
        if missing and as_input and not inaccessible:
            if as_output:
                state.error(
                    "ENUM_VALUE_MISMATCH",
                    f'Enum type "{merged.name}" is used as both input type (for example, as '
                    f'type of "{state.input_uses[merged.name]}") and output type (for example, '
                    f'as type of "{state.output_uses[merged.name]}"), but value "{name}" is '
                    f'not defined in all the subgraphs defining "{merged.name}": "{name}" is '
                    f"defined in {subgraph_names(defined)} but not in "
                    f"{subgraph_names(missing)}",
                    [s.name for s in sources],
                    f"{merged.name}.{name}",
                )
            else:
                state.hint(
                    "INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM",
                    f'Value "{name}" of enum type "{merged.name}" will not be part of the '
                    "supergraph as it is not defined in all the subgraphs defining "
                    f'"{merged.name}": "{name}" is defined in {subgraph_names(defined)} but not '
                    f"in {subgraph_names(missing)}.",
                    [s.name for s in sources],
                    f"{merged.name}.{name}",
                )
            continue
        merged.values[name] = value
    if not merged.values:
        state.error(
            "EMPTY_MERGED_ENUM_TYPE",
            f'None of the values of enum type "{merged.name}" are defined consistently in all '
            "the subgraphs defining that type. As only values common to all subgraphs are "
            "merged, this would result in an empty type.",
            [s.name for s in sources],
            merged.name,
        )

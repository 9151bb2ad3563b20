"""Arguments and the values clients send (input fields share the rules).

Inputs merge by intersection: an argument the gateway may send must be accepted by
every subgraph, so its type is the most restrictive one, a required argument must exist
everywhere and defaults must agree. Contextual (`@fromContext`) arguments are filled by
the gateway and leave the supergraph field.
"""

from __future__ import annotations

from graphql.language import NonNullTypeNode

from ..applications import merge_applications
from ..errors import subgraph_names
from ..hints import mismatch, presence
from ..model import Field, InputValue
from ..subgraph_sdl import named_type
from ..supermodel import MergedArg
from ..typerefs import merged_input_type, type_str
from .state import MergeState, default_label, differences, type_label, value_str


def merge_args(
    state: MergeState, coordinate: str, fields: list[Field], subgraphs: list[str]
) -> list[MergedArg]:
    names: list[str] = []
    for f in fields:
        names.extend(a for a in f.args if a not in names)
    out: list[MergedArg] = []
    for name in names:
        arg_coordinate = f"{coordinate}({name}:)"
        present = [
            (sg, f.args[name]) for sg, f in zip(subgraphs, fields, strict=True) if name in f.args
        ]
        contextual = [sg for sg, a in present if a.from_context is not None]
        if contextual:
            # Filled by the gateway from the context: not part of the supergraph field.
            for sg, a in present:
                if a.from_context is None and not is_required(a):
                    state.hint(
                        "CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS",
                        f'Contextual argument "{arg_coordinate}" will not be included in the '
                        "supergraph since it is contextual in at least one subgraph",
                        [sg],
                        arg_coordinate,
                    )
                if a.from_context is None and is_required(a):
                    state.error(
                        "CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS",
                        f'Argument "{arg_coordinate}" is contextual in at least one subgraph '
                        f'but in "{arg_coordinate}" it does not have @fromContext, is not '
                        "nullable and has no default value.",
                        [sg],
                        arg_coordinate,
                    )
            continue
        if len(present) < len(fields):
            required = [sg for sg, a in present if is_required(a)]
            if required:
                missing = [
                    sg for sg, f in zip(subgraphs, fields, strict=True) if name not in f.args
                ]
                state.error(
                    "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                    f'Argument "{arg_coordinate}" is required in some subgraphs but does not '
                    f"appear in all subgraphs: it is required in {subgraph_names(required)} "
                    f"but does not appear in {subgraph_names(missing)}",
                    subgraphs,
                    arg_coordinate,
                )
            else:
                defined = [sg for sg, _ in present]
                state.hint(
                    "INCONSISTENT_ARGUMENT_PRESENCE",
                    f'Optional argument "{arg_coordinate}" will not be included in the '
                    "supergraph as it does not appear in all subgraphs: "
                    + presence(defined, [g.name for g in state.subgraphs if g.name not in defined]),
                    [g.name for g in state.subgraphs],
                    arg_coordinate,
                )
            continue
        merged = merge_input_value(
            state, "argument", "Argument", "FIELD_ARGUMENT", arg_coordinate, present
        )
        if merged is not None:
            out.append(merged)
    return out


def merge_input_value(
    state: MergeState,
    kind: str,
    title: str,
    code_prefix: str,
    coordinate: str,
    present: list[tuple[str, InputValue]],
) -> MergedArg | None:
    """One argument or input field present in every subgraph: type and default."""
    values = [v for _, v in present]
    arg_type = merged_input_type([v.type for v in values])
    if arg_type is None:
        state.error(
            f"{code_prefix}_TYPE_MISMATCH" if kind == "argument" else "FIELD_TYPE_MISMATCH",
            f'Type of {kind} "{coordinate}" is incompatible across subgraphs: it has '
            + differences((sg, type_label(v.type)) for sg, v in present),
            [sg for sg, _ in present],
            coordinate,
        )
        return None
    state.input_uses.setdefault(named_type(arg_type), coordinate)
    merged_type = type_str(arg_type)
    if len({type_str(v.type) for v in values}) > 1:
        state.hint(
            f"INCONSISTENT_BUT_COMPATIBLE_{kind.upper()}_TYPE",
            f'Type of {kind} "{coordinate}" is inconsistent but compatible across subgraphs: '
            + mismatch(
                merged_type,
                [(sg, type_str(v.type)) for sg, v in present],
                lambda t, names: (
                    f'will use type "{t}" (from {names}) in supergraph but "{coordinate}" has '
                ),
                lambda t, names: f'supertype "{t}" in {names}',
            )
            + ".",
            [sg for sg, _ in present],
            coordinate,
        )
    defaults = {value_str(v.default) for v in values if v.default is not None}
    if defaults and any(v.default is None for v in values) and len(defaults) == 1:
        # Apollo keeps no default when only some subgraphs declare one.
        state.hint(
            "INCONSISTENT_DEFAULT_VALUE_PRESENCE",
            f'{title} "{coordinate}" has a default value in only some subgraphs: '
            + mismatch(
                "",
                [(sg, value_str(v.default) or "") for sg, v in present],
                lambda _, names: (
                    "will not use a default in the supergraph (there is no "
                    f"default in {names}) but "
                ),
                lambda d, names: f'"{coordinate}" has default value {d} in {names}',
            )
            + ".",
            [sg for sg, _ in present],
            coordinate,
        )
        defaults = set()
    if len(defaults) > 1:
        state.error(
            f"{code_prefix}_DEFAULT_MISMATCH",
            f'{title} "{coordinate}" has incompatible default values across subgraphs: it has '
            + differences((sg, default_label(v.default)) for sg, v in present),
            [sg for sg, _ in present],
            coordinate,
        )
        return None
    return MergedArg(
        name=values[0].name,
        type=merged_type,
        default=next(iter(defaults), None),
        description=state.merge_description(coordinate, [(sg, v.description) for sg, v in present]),
        directives=merge_applications(
            (v.directives for v in values),
            report=state.applications(coordinate, [sg for sg, _ in present]),
        ),
    )


def is_required(value: InputValue) -> bool:
    """Non-null without a default: a client (or the gateway) must always send it."""
    return isinstance(value.type, NonNullTypeNode) and value.default is None

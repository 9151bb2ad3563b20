"""Checks on interfaces once every type is merged: the gateway must be able to resolve
all of an interface's entities where it has a key, and every implementation must have
every field the merged interface declares."""

from __future__ import annotations

from ..errors import listed, subgraph_names
from ..supermodel import MergedType
from .state import MergeState


def check_interface_keys(state: MergeState, types: dict[str, MergedType]) -> None:
    """An interface with a resolvable key in a subgraph must have every supergraph
    implementation there, or the gateway could not resolve all of its entities."""
    for name, merged in types.items():
        if merged.kind != "interface":
            continue
        implementations = [
            t.name for t in types.values() if t.kind == "object" and name in t.interfaces
        ]
        for s in state.subgraphs:
            t = s.types.get(name)
            if t is None or t.kind != "interface":
                continue
            key = next((k for k in t.keys if k.resolvable), None)
            if key is None:
                continue
            missing = [
                i for i in implementations if i not in s.types or name not in s.types[i].interfaces
            ]
            if not missing:
                continue
            named = listed("type", [f'"{m}"' for m in missing])
            state.error(
                "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
                f'[{s.name}] Interface type "{name}" has a resolvable key (@key(fields: '
                f'"{key.fields}")) in subgraph "{s.name}" but that subgraph is missing some of '
                f'the supergraph implementation types of "{name}". Subgraph "{s.name}" should '
                f"define {named} (and have {'them' if len(missing) > 1 else 'it'} implement "
                f'"{name}").',
                [s.name],
                name,
            )


def check_interface_fields_implemented(state: MergeState, types: dict[str, MergedType]) -> None:
    for t in types.values():
        if t.kind not in ("object", "interface"):
            continue
        for name in t.interfaces:
            interface = types.get(name)
            for fname in interface.fields if interface else ():
                if fname in t.fields:
                    continue
                declaring = [
                    s.name
                    for s in state.subgraphs
                    if name in s.types
                    and s.types[name].kind == "interface"
                    and fname in s.types[name].fields
                ]
                implementing = [
                    s.name
                    for s in state.subgraphs
                    if t.name in s.types and name in s.types[t.name].interfaces
                ]
                state.error(
                    "INTERFACE_FIELD_NO_IMPLEM",
                    f'Interface field "{name}.{fname}" is declared in '
                    f'{subgraph_names(declaring)} but type "{t.name}", which implements '
                    f'"{name}" only in {subgraph_names(implementing)} does not have field '
                    f'"{fname}".',
                    declaring + implementing,
                    f"{name}.{fname}",
                )

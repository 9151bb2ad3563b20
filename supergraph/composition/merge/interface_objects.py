"""`@interfaceObject`: a subgraph sees an interface as an object type and adds fields to
it, which then belong to every implementation. Those copies need sharing rules and a
bare `@join__field` like Apollo's."""

from __future__ import annotations

from ..access import is_access_control
from ..errors import listed
from ..supermodel import JoinField, MergedField, MergedType
from .state import MergeState


def check_interface_object_sharing(state: MergeState, types: dict[str, MergedType]) -> None:
    """A field an @interfaceObject provides for all implementations is resolved by that
    subgraph too: it must be shareable if an implementation also resolves it."""
    for impl in types.values():
        if impl.kind != "object":
            continue
        for interface in impl.interfaces:
            via = f' (through @interfaceObject field "{interface}.{{field}}")'
            for fname in types[interface].fields if interface in types else ():
                resolvers: list[tuple[str, str, bool]] = []
                for s in state.subgraphs:
                    own = s.types.get(impl.name)
                    if own and fname in own.fields and not own.fields[fname].external:
                        resolvers.append((s.name, "", own.fields[fname].shareable))
                    obj = s.types.get(interface)
                    if obj and obj.interface_object and fname in obj.fields:
                        f = obj.fields[fname]
                        if not f.external:
                            resolvers.append((s.name, via.format(field=fname), f.shareable))
                if len(resolvers) < 2 or not any(r[1] for r in resolvers):
                    continue
                non_shareable = [r for r in resolvers if not r[2]]
                if not non_shareable:
                    continue
                where = (
                    "all of them" if len(non_shareable) == len(resolvers) else _names(non_shareable)
                )
                coordinate = f"{impl.name}.{fname}"
                state.error(
                    "INVALID_FIELD_SHARING",
                    f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: '
                    f"it is resolved from {_names(resolvers)} and defined as non-shareable in "
                    f"{where}",
                    [r[0] for r in resolvers],
                    coordinate,
                )


def _names(resolvers: list[tuple[str, str, bool]]) -> str:
    """`subgraphs "a" and "b" (through @interfaceObject field "I.f")`: names with notes."""
    return listed("subgraph", [f'"{n}"{note}' for n, note, _ in resolvers])


def copy_interface_object_fields(state: MergeState, types: dict[str, MergedType]) -> None:
    """Fields an `@interfaceObject` adds to an interface exist on every implementation
    too; Apollo marks the copies with a bare `@join__field`."""
    for s in state.subgraphs:
        for t in s.types.values():
            if not t.interface_object or t.name not in types:
                continue
            for impl in types.values():
                if impl.kind != "object" or t.name not in impl.interfaces:
                    continue
                for fname in t.fields:
                    if fname not in impl.fields and fname in types[t.name].fields:
                        source = types[t.name].fields[fname]
                        impl.fields[fname] = MergedField(
                            name=fname,
                            type=source.type,
                            args=source.args,
                            description=source.description,
                            directives=[d for d in source.directives if not is_access_control(d)],
                            joins=[JoinField(graph=None)],
                        )

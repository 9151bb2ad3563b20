"""`@shareable`: a field resolved by several subgraphs must be shareable in all of them.

An `@external` field counts as resolved where a `@provides` provides it; an overridden
copy does not count. Root subscription fields may never be shared (each event would be
delivered once per subgraph).
"""

from __future__ import annotations

from ..errors import subgraph_names
from ..fieldset import field_paths
from ..model import Field, SubgraphSchema
from ..subgraph_sdl import named_type
from .state import MergeState, Source


def check_sharing(
    state: MergeState,
    coordinate: str,
    type_name: str,
    present: list[tuple[Source, Field]],
    overridden: set[str],
) -> None:
    resolving = [
        (s, f)
        for s, f in present
        if (not f.external or _provided(s.schema, type_name, f.name)) and s.name not in overridden
    ]
    if type_name == "Subscription":
        if any(f.shareable and not s.schema.is_fed1 for s, f in resolving):
            state.error(
                "INVALID_FIELD_SHARING",
                "Fields on root level subscription object cannot be marked as shareable",
                [s.name for s, _ in resolving],
                coordinate,
            )
        return
    if len(resolving) < 2:
        return
    non_shareable = [s.name for s, f in resolving if not f.shareable]
    if not non_shareable:
        return
    where = "all of them" if len(non_shareable) == len(resolving) else subgraph_names(non_shareable)
    hint = ""
    unknown = [
        s.name
        for s, f in resolving
        if f.override and f.override not in {x.name for x in state.subgraphs}
    ]
    if unknown:
        hint = (
            f' (please note that "{coordinate}" has an @override directive in '
            f'subgraph "{unknown[0]}" that targets an unknown subgraph so this could be due '
            "to misspelling the @override(from:) argument)"
        )
    state.error(
        "INVALID_FIELD_SHARING",
        f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: it is '
        f"resolved from {subgraph_names([s.name for s, _ in resolving])} and defined as "
        f"non-shareable in {where}{hint}",
        [s.name for s, _ in resolving],
        coordinate,
    )


def _provided(schema: SubgraphSchema, type_name: str, field_name: str) -> bool:
    """Whether some @provides in the subgraph provides this (external) field."""
    targets = (type_name, *_abstracts(schema, type_name))
    for t in schema.types.values():
        for f in t.fields.values():
            for path in field_paths(f.provides or ""):
                # Follow the path's types: `vendor { name }` provides Vendor.name too.
                here: str | None = named_type(f.type)
                for step in path[:-1]:
                    nested = schema.types.get(here or "")
                    here = (
                        named_type(nested.fields[step].type)
                        if nested is not None and step in nested.fields
                        else None
                    )
                if here in targets and path[-1] == field_name:
                    return True
    return False


def _abstracts(schema: SubgraphSchema, type_name: str) -> list[str]:
    """Interfaces and unions of the subgraph that `type_name` belongs to."""
    t = schema.types.get(type_name)
    unions = [u.name for u in schema.types.values() if type_name in u.members]
    return [*(t.interfaces if t else ()), *unions]

"""`@override`: which subgraphs lose a field to another, and which of them still use it.

A field taken over stays joined to its old subgraph only when that subgraph still needs
it (in a key or a `@requires`: Apollo's `usedOverridden`) or when the override is
progressive (`label:`), so the gateway can still plan through it.
"""

from __future__ import annotations

from ..fieldset import field_paths
from ..model import Field
from ..supermodel import MergedType
from .state import MergeState, Source


def overrides(
    state: MergeState, merged: MergedType, present: list[tuple[Source, Field]]
) -> tuple[set[str], set[str]]:
    """Validate @override; return the subgraphs whose field is overridden, and those of
    them still using it (key or @requires/@provides input: `usedOverridden`)."""
    overridden: set[str] = set()
    by_name = {s.name: f for s, f in present}
    coordinate = f"{merged.name}.{present[0][1].name}"
    for s, f in present:
        if f.override is None:
            continue
        if f.override == s.name:
            state.error(
                "OVERRIDE_FROM_SELF_ERROR",
                f'Source and destination subgraphs "{s.name}" are the same for overridden '
                f'field "{coordinate}"',
                [s.name],
                coordinate,
            )
            continue
        source_field = by_name.get(f.override)
        if source_field is None:
            continue
        if source_field.override is not None:
            state.error(
                "OVERRIDE_SOURCE_HAS_OVERRIDE",
                f'Field "{coordinate}" on subgraph "{s.name}" is also marked with directive '
                f'@override in subgraph "{f.override}". Only one @override directive is '
                "allowed per field.",
                sorted([s.name, f.override]),
                coordinate,
            )
            continue
        if not source_field.external:
            overridden.add(f.override)
            if f.override_label is not None:
                state.progressive[(coordinate, f.override)] = f.override_label
    used = {
        name
        for name in overridden
        if _field_used_in(
            next(s for s, _ in present if s.name == name), merged.name, present[0][1].name
        )
    }
    return overridden, used


def _field_used_in(s: Source, type_name: str, field_name: str) -> bool:
    for key in s.type.keys:
        if (field_name,) in field_paths(key.fields):
            return True
    for t in s.schema.types.values():
        for f in t.fields.values():
            if f.requires and t.name == type_name and (field_name,) in field_paths(f.requires):
                return True
    return False

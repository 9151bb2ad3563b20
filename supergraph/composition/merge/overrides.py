"""`@override`: which subgraphs lose a field to another, and which of them still use it.

A field taken over stays joined to its old subgraph only when that subgraph still needs
it (in a key or a `@requires`: Apollo's `usedOverridden`) or when the override is
progressive (`label:`), so the gateway can still plan through it. Each override also
gets Apollo's hint saying what can be cleaned up once it is in place.
"""

from __future__ import annotations

from ..fieldset import field_paths
from ..hints import did_you_mean
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
        if f.override not in state.graphs:
            state.hint(
                "FROM_SUBGRAPH_DOES_NOT_EXIST",
                f'Source subgraph "{f.override}" for field "{coordinate}" on subgraph "{s.name}" '
                f"does not exist.{did_you_mean(f.override, state.graphs)}",
                [s.name],
                coordinate,
            )
            continue
        source_field = by_name.get(f.override)
        if source_field is None:
            state.hint(
                "OVERRIDE_DIRECTIVE_CAN_BE_REMOVED",
                f'Field "{coordinate}" on subgraph "{s.name}" no longer exists in the from '
                "subgraph. The @override directive can be removed.",
                [s.name],
                coordinate,
            )
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
        if source_field.external:
            state.hint(
                "OVERRIDE_DIRECTIVE_CAN_BE_REMOVED",
                f'Field "{coordinate}" on subgraph "{s.name}" is not resolved anymore by the from '
                f'subgraph (it is marked "@external" in "{f.override}"). The @override directive '
                "can be removed.",
                [s.name],
                coordinate,
            )
            continue
        overridden.add(f.override)
        source = next(g for g, _ in present if g.name == f.override)
        referenced = _field_used_in(source, merged.name, present[0][1].name)
        if f.override_label is not None:
            state.progressive[(coordinate, f.override)] = f.override_label
            state.hint(
                "OVERRIDE_MIGRATION_IN_PROGRESS",
                f'Field "{coordinate}" on subgraph "{f.override}" is currently being migrated via '
                "progressive @override. It is still used in some federation directive(s) (@key, "
                "@requires, and/or @provides) and/or to satisfy interface constraint(s). Once "
                "the migration is complete, consider marking it @external explicitly or "
                "removing it along with its references."
                if referenced
                else f'Field "{coordinate}" is currently being migrated with progressive '
                "@override. Once the migration is complete, remove the field from subgraph "
                f'"{f.override}".',
                [f.override],
                coordinate,
            )
        else:
            state.hint(
                "OVERRIDDEN_FIELD_CAN_BE_REMOVED",
                f'Field "{coordinate}" on subgraph "{f.override}" is overridden. It is still used '
                "in some federation directive(s) (@key, @requires, and/or @provides) and/or to "
                "satisfy interface constraint(s), but consider marking it @external explicitly "
                "or removing it along with its references."
                if referenced
                else f'Field "{coordinate}" on subgraph "{f.override}" is overridden. Consider '
                "removing it.",
                [f.override],
                coordinate,
            )
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

"""`@defer`: which fragments are deferred, and each one's payload entries.

A deferring query is planned once (`planner.py`): the *primary* fetches give the initial
payload, each active deferred fragment has its own fetches (or none, when its fields come
with a parent that has no key) and its payload goes out as soon as they, and those of the
fragments it reads from, are done (`DeferredDelivery.payloads`). A fragment's entries are
cut here from the merged data shaped with only the fields visible to it (the primary's,
its own, its enclosing fragments') and every object marked with its type, one entry per
object it applies to. The payloads follow the incremental delivery format Apollo clients
read (`deferSpec=20220824`). Which `@defer`s are active is decided before planning: the
planner is told the `if:` variables that are false (`planning/defer_directives.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
)

from ..planning.defer_directives import active_for, label
from .shaping import FRAGMENT_NULL

TYPENAME_ALIAS = "__deferTypename"

Applies = Callable[[str, Any], bool]


@dataclass
class _Walk:
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    applies: Applies
    root_type: str
    only: SelectionNode | None = None
    increments: list[dict[str, Any]] = field(default_factory=list)

    def fragment_applies(self, type_condition: str | None, obj: Mapping[str, Any]) -> bool:
        if type_condition is None:
            return True
        typename = obj.get(TYPENAME_ALIAS, self.root_type)
        return self.applies(type_condition, typename)

    def walk(self, sel: SelectionSetNode, obj: Mapping[str, Any], path: list[str | int]) -> None:
        """Record an increment for every active deferred fragment below `obj`."""
        for s in sel.selections:
            if isinstance(s, FieldNode):
                if s.selection_set is not None:
                    self._walk_value(s.selection_set, obj.get(_key(s)), [*path, _key(s)])
                continue
            frag_sel, type_condition = self._fragment(s)
            if frag_sel is None or not self.fragment_applies(type_condition, obj):
                continue
            directive = active_for(s, self.variables)
            if directive is not None and (self.only is None or s is self.only):
                data = None if obj.get(FRAGMENT_NULL) else self.project(frag_sel, obj)
                increment: dict[str, Any] = {"data": data, "path": path}
                name = label(directive)
                if name is not None:
                    increment["label"] = name
                self.increments.append(increment)
            self.walk(frag_sel, obj, path)

    def _walk_value(self, sel: SelectionSetNode, value: Any, path: list[str | int]) -> None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                self._walk_value(sel, item, [*path, i])
        elif isinstance(value, dict):
            self.walk(sel, value, path)

    def _fragment(self, s: SelectionNode) -> tuple[SelectionSetNode | None, str | None]:
        if isinstance(s, InlineFragmentNode):
            tc = s.type_condition.name.value if s.type_condition else None
            return s.selection_set, tc
        if isinstance(s, FragmentSpreadNode) and s.name.value in self.fragments:
            frag = self.fragments[s.name.value]
            return frag.selection_set, frag.type_condition.name.value
        return None, None

    def project(self, sel: SelectionSetNode, obj: Mapping[str, Any]) -> dict[str, Any]:
        """The fields `sel` selects on `obj` without going into deferred fragments."""
        out: dict[str, Any] = {}
        for s in sel.selections:
            if isinstance(s, FieldNode):
                key = _key(s)
                if key not in obj or key in (TYPENAME_ALIAS, FRAGMENT_NULL):
                    continue
                value = obj[key]
                if s.selection_set is not None:
                    value = self._project_value(s.selection_set, value)
                previous = out.get(key)
                if isinstance(previous, dict) and isinstance(value, dict):
                    previous.update(value)
                else:
                    out[key] = value
                continue
            if active_for(s, self.variables) is not None:
                continue
            frag_sel, type_condition = self._fragment(s)
            if frag_sel is not None and self.fragment_applies(type_condition, obj):
                for key, value in self.project(frag_sel, obj).items():
                    previous = out.get(key)
                    if isinstance(previous, dict) and isinstance(value, dict):
                        previous.update(value)
                    else:
                        out[key] = value
        return out

    def _project_value(self, sel: SelectionSetNode, value: Any) -> Any:
        if isinstance(value, list):
            return [self._project_value(sel, v) for v in value]
        if isinstance(value, dict):
            return self.project(sel, value)
        return value


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def increments(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    data: Mapping[str, Any] | None,
    variables: Mapping[str, Any],
    applies: Applies,
    root_type: str,
    only: SelectionNode,
) -> list[dict[str, Any]]:
    """The incremental payload entries of the deferred fragment `only` (one per object it
    applies to, in response order), read from data shaped with the fields visible to it
    and every object marked with its type under `TYPENAME_ALIAS`."""
    if not data:
        return []
    walker = _Walk(fragments, variables, applies, root_type, only)
    walker.walk(operation.selection_set, data, [])
    return walker.increments


def reported_in(error: dict[str, Any], already: list[dict[str, Any]]) -> bool:
    return any(
        (e.get("message"), str(e.get("path"))) == (error.get("message"), str(error.get("path")))
        for e in already
    )


def assign_errors(
    entries: list[dict[str, Any]],
    errors: list[dict[str, Any]],
    already: list[dict[str, Any]],
    strict: bool = False,
) -> list[dict[str, Any]]:
    """Give each error not already reported to the increment it lies in; an error that
    lies in none (a failed fetch has no path) goes to the first, unless `strict` (then it
    is left out). `strict` is for fields authorization removed: each also gets its null
    in the entry's data, where the client's fragment selected it. Returns the errors
    given."""
    given: list[dict[str, Any]] = []
    if not entries:
        return given
    reported = {(e.get("message"), str(e.get("path"))) for e in already}
    for error in errors:
        if (error.get("message"), str(error.get("path"))) in reported:
            continue
        path = error.get("path")
        best = None
        for entry in entries:
            p = entry["path"]
            inside = isinstance(path, list) and path[: len(p)] == p and len(path) > len(p)
            if inside and (best is None or len(p) > len(best["path"])):
                best = entry
        if best is None and not isinstance(path, list) and not strict:
            best = entries[0]
        if best is not None:
            best.setdefault("errors", []).append(error)
            given.append(error)
            if strict and isinstance(path, list):
                _null_at(best.get("data"), path[len(best["path"]) :])
    return given


def _null_at(data: Any, rest: list[Any]) -> None:
    """Set `rest`'s last key to null in `data`, where its parents exist."""
    for step in rest[:-1]:
        if isinstance(data, dict) and isinstance(step, str):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
            data = data[step]
        else:
            return
    if isinstance(data, dict) and rest and isinstance(rest[-1], str):
        data.setdefault(rest[-1], None)

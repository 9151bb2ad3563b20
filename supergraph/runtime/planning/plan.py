"""Query-plan nodes as plain data, named like Apollo's, serialisable for `extensions.queryPlan`.

A plan is a tree of `Sequence`/`Parallel`/`Condition` around `Fetch` nodes; `Flatten` says
where in the merged response an entity fetch reads its representations and writes back.
Nothing here executes anything: `executor.py` walks these nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union


@dataclass(frozen=True)
class RequiredField:
    """A field copied from the merged data into a representation under its real name;
    `source` is where the merged data holds it when the gateway aliased it."""

    name: str
    selections: tuple[RequiredSelection, ...] | None = None
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": "Field", "name": self.name}
        if self.selections is not None:
            out["selections"] = [s.to_json() for s in self.selections]
        return out


@dataclass(frozen=True)
class RequiredFragment:
    """Fields of a representation that apply only to objects of `type_condition`."""

    type_condition: str
    selections: tuple[RequiredSelection, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "InlineFragment",
            "typeCondition": self.type_condition,
            "selections": [s.to_json() for s in self.selections],
        }


RequiredSelection = Union[RequiredField, RequiredFragment]  # noqa: UP007 (forward refs)


@dataclass(frozen=True)
class EntityInput:
    """How to build one representation: objects whose `__typename` is `data_type` are sent
    as `rep_type` (differs for `@interfaceObject`) with `selections` copied from them."""

    data_type: str
    rep_type: str
    selections: tuple[RequiredSelection, ...]

    def to_json(self) -> dict[str, Any]:
        fields = [RequiredField("__typename").to_json()]
        fields += [s.to_json() for s in self.selections]
        return {"kind": "InlineFragment", "typeCondition": self.data_type, "selections": fields}


@dataclass(frozen=True)
class ContextValue:
    """A variable of an entity fetch read from an ancestor of each entity (`@fromContext`):
    the object `depth` steps down the `Flatten` path, when its `__typename` is one of
    `types`, projected on `selections`; its single selected value is the argument (for a
    scalar argument, the leaf at the end of the selected path)."""

    variable: str
    type: str
    depth: int
    types: tuple[str, ...]
    selections: tuple[RequiredSelection, ...]
    leaf: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "variable": self.variable,
            "type": self.type,
            "depth": self.depth,
            "typeConditions": list(self.types),
            "selection": [s.to_json() for s in self.selections],
        }


@dataclass(frozen=True)
class Fetch:
    """One request to one subgraph. With `requires`, an `_entities` fetch."""

    service_name: str
    operation: str
    operation_kind: str = "query"
    operation_name: str | None = None
    variable_usages: tuple[str, ...] = ()
    requires: tuple[EntityInput, ...] = ()
    context_values: tuple[ContextValue, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": "Fetch",
            "serviceName": self.service_name,
            "variableUsages": list(self.variable_usages),
            "operation": self.operation,
            "operationKind": self.operation_kind,
        }
        if self.operation_name:
            out["operationName"] = self.operation_name
        if self.requires:
            out["requires"] = [r.to_json() for r in self.requires]
        if self.context_values:
            out["contextValues"] = [c.to_json() for c in self.context_values]
        return out


@dataclass(frozen=True)
class Flatten:
    """Run `node` against the objects found at `path` (`"@"` steps into lists)."""

    path: tuple[str, ...]
    node: Fetch

    def to_json(self) -> dict[str, Any]:
        return {"kind": "Flatten", "path": list(self.path), "node": self.node.to_json()}


@dataclass(frozen=True)
class Sequence:
    """Children one after another: later ones read what earlier ones fetched."""

    nodes: tuple[PlanNode, ...]

    def to_json(self) -> dict[str, Any]:
        return {"kind": "Sequence", "nodes": [n.to_json() for n in self.nodes]}


@dataclass(frozen=True)
class Parallel:
    """Independent children, run concurrently."""

    nodes: tuple[PlanNode, ...]

    def to_json(self) -> dict[str, Any]:
        return {"kind": "Parallel", "nodes": [n.to_json() for n in self.nodes]}


@dataclass(frozen=True)
class Condition:
    """Run `if_clause` when the boolean variable `condition` is true, else `else_clause`."""

    condition: str
    if_clause: PlanNode | None
    else_clause: PlanNode | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": "Condition", "condition": self.condition}
        out["ifClause"] = self.if_clause.to_json() if self.if_clause else None
        out["elseClause"] = self.else_clause.to_json() if self.else_clause else None
        return out


@dataclass(frozen=True)
class DeferredFragment:
    """One active `@defer` fragment: its own fetches (None when all its fields come with
    their parent), the fragments whose data it waits for, and its enclosing fragment."""

    id: int
    label: str | None
    path: tuple[str, ...]
    node: PlanNode | None
    waits: frozenset[int]
    parent: int
    selection: Any = field(default=None, compare=False)  # its fragment in the planned document

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "path": list(self.path)}
        if self.label is not None:
            out["label"] = self.label
        out["depends"] = sorted(self.waits)
        out["node"] = self.node.to_json() if self.node else None
        return out


@dataclass(frozen=True)
class Defer:
    """The primary fetches, then each deferred fragment's once those it waits for ran."""

    primary: PlanNode | None
    deferred: tuple[DeferredFragment, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "Defer",
            "primary": {"node": self.primary.to_json() if self.primary else None},
            "deferred": [d.to_json() for d in self.deferred],
        }


PlanNode = Union[Fetch, Flatten, Sequence, Parallel, Condition, Defer]  # noqa: UP007 (forward refs)


@dataclass(frozen=True)
class QueryPlan:
    """The root of a plan; `node` is None when the gateway answers alone (introspection)."""

    node: PlanNode | None

    def to_json(self) -> dict[str, Any]:
        return {"kind": "QueryPlan", "node": self.node.to_json() if self.node else None}

"""Queries some of whose root fields cannot be planned: the others are still answered.

A field that no subgraph reachable from its parent resolves (a `@interfaceObject` whose
owner cannot resolve it by key, say: `UnresolvableField`) makes its whole operation
unplannable. Refusing everything for one root field punishes the rest of the operation,
so a query is planned without the top-level fields that fail that way on their own; each
of those answers `null` with a `QUERY_PLANNING_FAILED` error at its path (a non-null one
nulls `data`, as null propagation would). @apollo/gateway answers the same.

Any other planning failure refuses the operation as a whole: key fields that cannot be
fetched where a jump needs them mean the supergraph does not hold together, and the
federation audit (`corrupted-supergraph-node-id`) expects the whole operation refused
there, as every router does. So does a failure below a fragment, in a mutation, or in
every root field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, FragmentDefinitionNode, GraphQLNonNull, OperationDefinitionNode

from ..supergraph_schema import Supergraph
from .fields import PlannedOperation, PlanningError, UnresolvableField
from .planner import Planner

CODE = "QUERY_PLANNING_FAILED"


@dataclass(frozen=True, slots=True)
class Unplannable:
    """A top-level field left out of the plan, and why."""

    key: str
    message: str
    non_null: bool


@dataclass(frozen=True, slots=True)
class PartialPlan:
    planned: PlannedOperation
    unplannable: tuple[Unplannable, ...]
    keys: tuple[str, ...]  # every top-level response key, in the client's order


def plan_answerable(
    supergraph: Supergraph,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    defers_off: frozenset[str] | None,
    failure: PlanningError,
    labels: frozenset[str] = frozenset(),
) -> PartialPlan:
    """The plan of `operation` without its unplannable top-level fields; re-raises
    `failure` when none can be left out that way."""
    selections = operation.selection_set.selections
    if operation.operation.value != "query" or not all(
        isinstance(s, FieldNode) for s in selections
    ):
        raise failure
    fields = [s for s in selections if isinstance(s, FieldNode)]
    root = supergraph.api_schema.query_type
    assert root is not None
    failing: list[Unplannable] = []
    kept: list[FieldNode] = []
    for node in fields:
        alone = operation.__class__(
            operation=operation.operation,
            name=operation.name,
            variable_definitions=operation.variable_definitions,
            directives=operation.directives,
            selection_set=operation.selection_set.__class__(selections=(node,)),
        )
        try:
            Planner(supergraph, alone, fragments, defers_off, labels).plan()
        except UnresolvableField as exc:
            definition = root.fields.get(node.name.value)
            non_null = definition is not None and isinstance(definition.type, GraphQLNonNull)
            key = node.alias.value if node.alias else node.name.value
            failing.append(Unplannable(key, str(exc), non_null))
            continue
        except PlanningError:
            raise failure from None  # not a hole at one field: the whole is refused
        kept.append(node)
    if not failing or not kept:
        raise failure
    rest = operation.__class__(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=operation.selection_set.__class__(selections=tuple(kept)),
    )
    planned = Planner(supergraph, rest, fragments, defers_off, labels).plan()
    keys = tuple(dict.fromkeys(n.alias.value if n.alias else n.name.value for n in fields))
    return PartialPlan(planned, tuple(failing), keys)


def complete(
    data: dict[str, Any] | None, unplannable: tuple[Unplannable, ...], keys: tuple[str, ...]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """`data` with a null for each field left out, in the client's order, and their errors."""
    errors = [
        {"message": u.message, "path": [u.key], "extensions": {"code": CODE}} for u in unplannable
    ]
    if data is None or any(u.non_null for u in unplannable):
        return None, errors
    left_out = {u.key for u in unplannable}
    # a field the client skipped is absent from `data` and stays absent
    return {k: data.get(k) for k in keys if k in left_out or k in data}, errors

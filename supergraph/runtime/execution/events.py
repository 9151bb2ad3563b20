"""Subscription events resolved through the plan: the root field of a subscription yields
the entity behind an event's representation, and the rest of the client's selection is
planned as entity fetches from it, once per (document, operation, entity type, fields
the event carries).

The gateway hands `resolve` to the subscription machinery
(`supergraph.subscriptions.SubscriptionResolver`); each subgraph call carries the
subscriber's identity, set by its stream.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    VariableDefinitionNode,
    get_operation_ast,
)
from graphql.execution.values import get_variable_values

from ..fetching.subgraph_identity import IdentitySigner, current_subscriber
from ..planning.fields import PlannedOperation, PlanningError
from ..planning.planner import Planner
from ..supergraph_schema import Supergraph
from .errors import error, located
from .executor import Executor, RunState
from .shaping import Shaper

MAX_PLANS = 1000


class EventResolution:
    """Plans (cached) and runs the entity fetches of subscription events."""

    def __init__(
        self,
        supergraph: Supergraph,
        executor: Executor,
        object_types: frozenset[str],
        subgraph_identity: IdentitySigner | None,
    ) -> None:
        self.supergraph = supergraph
        self.executor = executor
        self.object_types = object_types
        self.subgraph_identity = subgraph_identity
        self.plans: dict[
            tuple[int, str | None, str, frozenset[str]],
            tuple[DocumentNode, PlannedOperation, tuple[VariableDefinitionNode, ...]],
        ] = {}

    async def resolve(
        self,
        entity_typename: str,
        representation: dict[str, Any],
        document: DocumentNode,
        variables: dict[str, Any],
        operation_name: str | None,
        field_alias: str,
        min_version: int | None,
    ) -> dict[str, Any]:
        """Resolve one subscription event (`supergraph.subscriptions.SubscriptionResolver`):
        the root field `field_alias` yields the entity behind `representation`; the rest of
        the client's selection is planned as entity fetches from it (plan cached)."""
        del min_version  # freshness is checked by the caller through the version field
        available = frozenset(k for k in representation if k != "__typename")
        key = (id(document), operation_name, entity_typename, available)
        cached = self.plans.get(key)
        if cached is None or cached[0] is not document:
            operation = get_operation_ast(document, operation_name)
            if operation is None:
                return {"data": None, "errors": [error("Unknown operation.", "BAD_REQUEST")]}
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            try:
                planned = Planner(self.supergraph, operation, fragments).plan_event(
                    entity_typename, available
                )
            except PlanningError as exc:
                return {"data": None, "errors": [error(str(exc), "QUERY_PLANNING_FAILED")]}
            cached = (document, planned, tuple(operation.variable_definitions or ()))
            self.plans[key] = cached
            if len(self.plans) > MAX_PLANS:
                self.plans.pop(next(iter(self.plans)))
        _, planned, definitions = cached
        coerced = get_variable_values(self.supergraph.api_schema, definitions, dict(variables))
        if isinstance(coerced, list):
            return {"data": None, "errors": [located(e, "BAD_USER_INPUT") for e in coerced]}
        headers = {}
        if self.subgraph_identity is not None:  # the subscriber's, set by its stream
            headers = self.subgraph_identity.headers(current_subscriber())
        state = RunState(coerced.coerced, headers, planned.source_to_key)
        state.data[planned.event_source] = {"__typename": entity_typename, **representation}
        await self.executor.run(planned, state)
        shaper = Shaper(coerced.coerced, self.object_types)
        data = shaper.shape_root(state.data, planned.shape, planned.root_type)
        out: dict[str, Any] = {"data": data}
        errors = state.errors or shaper.errors
        if errors:
            out["errors"] = errors
        return out

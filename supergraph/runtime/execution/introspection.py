"""Introspection (`__schema`, `__type`) answered by the gateway itself, from the API schema.

The operation is reduced to its root introspection fields (`introspection_document`,
done once with preparation) and run by graphql-core; the answer merges into the
request's data beside what the subgraphs answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
    experimental_execute_incrementally,
)

from ..planning.fields import INTROSPECTION_FIELDS
from .executor import RunState


def introspect(
    api_schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any],
    state: RunState,
) -> None:
    """Run the introspection document and merge its data and errors into `state`."""
    # "experimental": the API schema declares @defer, which the gateway runs itself
    result = experimental_execute_incrementally(
        api_schema, document, variable_values=dict(variables)
    )
    if not isinstance(result, ExecutionResult):
        return
    if result.data:
        state.data.update(result.data)
    for e in result.errors or ():
        state.errors.append(dict(e.formatted))


def introspection_document(doc: DocumentNode, operation: OperationDefinitionNode) -> DocumentNode:
    """The operation reduced to its root `__schema`/`__type` fields, for graphql-core."""
    selections = tuple(
        s
        for s in operation.selection_set.selections
        if isinstance(s, FieldNode) and s.name.value in INTROSPECTION_FIELDS
    )
    op = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=operation.variable_definitions,
        directives=(),
        selection_set=operation.selection_set.__class__(selections=selections),
    )
    fragments = tuple(d for d in doc.definitions if isinstance(d, FragmentDefinitionNode))
    return DocumentNode(definitions=(op, *fragments))

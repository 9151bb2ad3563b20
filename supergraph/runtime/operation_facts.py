"""What the HTTP policies need to know about a GraphQL document, from one cached parse.

The rate limiter counts operations (a mutation with N root fields counts N, since each
root field of a mutation is one command), the production profile refuses introspection
(`__schema`, `__type`; `__typename` is fine). Both look at the same parse, cached per
document text, so a client repeating its operations costs one parse per distinct text.
A document that does not parse counts 1 and is not introspection: the gateway reports
why it does not parse.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
)

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


@dataclass(frozen=True, slots=True)
class OperationFacts:
    operations: int
    """How many operations the rate limiter charges: root fields of a mutation, else 1."""
    introspection: bool
    """Whether the document selects `__schema` or `__type` anywhere."""


_NOTHING = OperationFacts(1, False)


MAX_LENGTH = 1_000_000
"""Longer documents are not parsed here: the gateway refuses them (document_limits.py)."""
MAX_TOKENS = 15_000
"""Parsing stops past this many tokens (the gateway's default token limit)."""
CACHED_LENGTH = 32_768
"""Only documents up to this size are cached, so the cache stays small in bytes (2048 x
32 KiB at most); the rare larger one is parsed again, within the token bound."""


def facts(query: str | None, operation_name: str | None = None) -> OperationFacts:
    """The facts of `query` (None, e.g. a persisted-query hash alone: one operation).

    Runs before the gateway's own document limits, so it applies the same bounds itself:
    a document too long or with too many tokens counts 1 and is not introspection (the
    gateway then refuses it with the precise code)."""
    if not query or len(query) > MAX_LENGTH:
        return _NOTHING
    if len(query) > CACHED_LENGTH:
        return _parse_facts(query, operation_name)
    return _facts(query, operation_name)


@functools.lru_cache(maxsize=2048)
def _facts(query: str, operation_name: str | None) -> OperationFacts:
    return _parse_facts(query, operation_name)


def _parse_facts(query: str, operation_name: str | None) -> OperationFacts:
    try:
        document = parse(query, no_location=True, max_tokens=MAX_TOKENS)
    except (GraphQLError, RecursionError):
        return _NOTHING
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operation = _operation(document, operation_name)
    count = 1
    if operation is not None and operation.operation == OperationType.MUTATION:
        count = max(1, _root_fields(operation.selection_set, fragments, set()))
    return OperationFacts(count, _introspects(document))


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def _root_fields(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    seen: set[str],
) -> int:
    count = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            count += selection.name.value != "__typename"
        elif isinstance(selection, InlineFragmentNode):
            count += _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                seen.add(name)
                count += _root_fields(fragments[name].selection_set, fragments, seen)
    return count


def _introspects(document: DocumentNode) -> bool:
    stack: list[SelectionSetNode] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode) and selection.name.value in INTROSPECTION_FIELDS:
                return True
            child = getattr(selection, "selection_set", None)
            if child is not None:
                stack.append(child)
    return False

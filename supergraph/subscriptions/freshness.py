"""Never push data older than the event: fetch, check the entity's version, retry.

The gateway adds the event source's version field to the root field's selection under a
private alias, asks the resolver, and compares the version it gets with the event's
stream version. While the read model lags (the projection has not applied the event, or
the entity does not exist there yet) it retries with backoff. Past the bound it pushes an
error (`STALE_READ_MODEL`) instead of old data, and the subscription goes on.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    visit,
)

from .resolver import SubscriptionResolver

VERSION_ALIAS = "_posEventSourceVersion"


@dataclass(frozen=True)
class Freshness:
    """How long to wait for the read model to catch up with an event, and how often to look."""

    timeout: float = 5.0
    first_delay: float = 0.02
    max_delay: float = 0.5


def find_root_field(document: DocumentNode, operation: OperationDefinitionNode) -> FieldNode:
    """The one root field of a (validated) subscription operation, through fragments."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    pending: list[SelectionSetNode] = [operation.selection_set]
    while pending:
        for selection in pending.pop(0).selections:
            if isinstance(selection, FieldNode):
                if selection.name.value != "__typename":
                    return selection
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                pending.append(fragments[selection.name.value].selection_set)
    raise ValueError("the subscription selects no field")


def with_version_field(
    document: DocumentNode, operation_name: str | None, version_field: str
) -> DocumentNode:
    """A copy of `document` whose subscription root field also selects the version field."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operation = next(
        (
            o
            for o in operations
            if operation_name is None or (o.name and o.name.value == operation_name)
        ),
        operations[0],
    )
    root = find_root_field(document, operation)
    extra = FieldNode(
        alias=NameNode(value=VERSION_ALIAS),
        name=NameNode(value=version_field),
        arguments=(),
        directives=(),
    )
    selections = tuple(root.selection_set.selections) if root.selection_set else ()
    widened = dataclasses.replace(
        root, selection_set=SelectionSetNode(selections=(*selections, extra))
    )

    class _Widen(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> FieldNode | None:
            return widened if node is root else None

    result = visit(document, _Widen())
    assert isinstance(result, DocumentNode)
    return result


def _stale_error(
    entity: str, representation: dict[str, Any], min_version: int, alias: str, waited: float
) -> dict[str, Any]:
    key = ", ".join(f"{k}={v}" for k, v in representation.items() if k != "__typename")
    return {
        "message": (
            f"{entity}({key}) has not caught up with the event (stream version {min_version}) "
            f"within {waited:g}s; the gateway sends no older data: re-query it shortly"
        ),
        "path": [alias],
        "extensions": {"code": "STALE_READ_MODEL", "minVersion": min_version},
    }


async def resolve_fresh(
    resolver: SubscriptionResolver,
    *,
    entity: str,
    representation: dict[str, Any],
    document: DocumentNode,
    variables: dict[str, Any],
    operation_name: str | None,
    field_alias: str,
    min_version: int,
    nullable: bool,
    freshness: Freshness,
) -> dict[str, Any]:
    """The resolver's result once the entity's version >= `min_version` (version alias removed)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    delay = freshness.first_delay
    while True:
        result = await resolver.resolve(
            entity, representation, document, variables, operation_name, field_alias, min_version
        )
        data = result.get("data")
        value = data.get(field_alias) if isinstance(data, dict) else None
        version = value.get(VERSION_ALIAS) if isinstance(value, dict) else None
        if isinstance(version, int) and version >= min_version:
            assert isinstance(value, dict)
            fresh = dict(result)
            fresh["data"] = {
                **data,  # type: ignore[dict-item]
                field_alias: {k: v for k, v in value.items() if k != VERSION_ALIAS},
            }
            return fresh
        if loop.time() - started + delay > freshness.timeout:
            errors = [e for e in result.get("errors") or [] if isinstance(e, dict)] + [
                _stale_error(entity, representation, min_version, field_alias, freshness.timeout)
            ]
            return {"data": {field_alias: None} if nullable else None, "errors": errors}
        await asyncio.sleep(delay)
        delay = min(delay * 2, freshness.max_delay)

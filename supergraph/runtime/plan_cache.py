"""LRU of prepared operations: parse, validation and planning happen once per document.

Keyed by (document text, operation name, `@defer` variant). Python hashes the text once per
lookup, which is the document hash; the text itself is the key so a hash collision can never
serve the wrong plan. Failures (parse and validation errors) are cached too: a bad document
stays cheap.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, VariableDefinitionNode

from .planner import PlannedOperation


@dataclass(frozen=True)
class PreparedOperation:
    """A document ready to run, or the request errors it produces."""

    kind: str = "query"
    planned: PlannedOperation | None = None
    errors: tuple[dict[str, Any], ...] = ()
    variable_definitions: tuple[VariableDefinitionNode, ...] = ()
    introspection_document: DocumentNode | None = None


class PlanCache:
    """Bounded least-recently-used map from (document, operation name) to its preparation."""

    def __init__(self, capacity: int = 2000) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[
            tuple[str, str | None, frozenset[str] | None], PreparedOperation
        ] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get_or_prepare(
        self,
        document: str,
        operation_name: str | None,
        prepare: Callable[[str, str | None, frozenset[str] | None], PreparedOperation],
        defers_off: frozenset[str] | None = None,
    ) -> PreparedOperation:
        """`defers_off` (None: `@defer` not planned) is passed on to `prepare`: the same
        document is planned apart for each set of false `@defer(if:)` variables."""
        key = (document, operation_name, defers_off)
        entries = self._entries
        found = entries.get(key)
        if found is not None:
            self.hits += 1
            entries.move_to_end(key)
            return found
        self.misses += 1
        prepared = prepare(document, operation_name, defers_off)
        entries[key] = prepared
        if len(entries) > self.capacity:
            entries.popitem(last=False)
        return prepared

    def __len__(self) -> int:
        return len(self._entries)

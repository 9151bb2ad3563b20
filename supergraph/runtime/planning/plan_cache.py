"""LRU of prepared operations: parse, validation and planning happen once per document.

Keyed by (SHA-256 of the document text, operation name, `@defer` variant): the text itself is
not kept, and a collision is out of reach. Bounded by entries and by an estimate of the bytes
each entry holds (the parsed operation and its plan grow with the document's length), the
least recently used going first. Failures (parse, validation, limit errors) are cached too,
so a bad document stays cheap.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    VariableDefinitionNode,
)

from .fields import PlannedOperation
from .unplannable import Unplannable

DEFAULT_ENTRIES = 2000
DEFAULT_BYTES = 64 * 1024 * 1024
# what one entry is assumed to hold: a fixed part, plus this many bytes per character of the
# document when it was planned (AST, plan, shaping tables; measured at ~20-40 on our graphs)
ENTRY_OVERHEAD = 2048
BYTES_PER_CHARACTER = 48


@dataclass(frozen=True)
class PreparedOperation:
    """A document ready to run, or the request errors it produces."""

    kind: str = "query"
    planned: PlannedOperation | None = None
    errors: tuple[dict[str, Any], ...] = ()
    variable_definitions: tuple[VariableDefinitionNode, ...] = ()
    introspection_document: DocumentNode | None = None
    # the parsed operation and its fragments (cost estimate, `@defer` detection reuse them)
    operation: OperationDefinitionNode | None = None
    fragments: Mapping[str, FragmentDefinitionNode] = field(default_factory=dict)
    # top-level fields left out of the plan (see unplannable.py), and every top-level key
    unplannable: tuple[Unplannable, ...] = ()
    root_keys: tuple[str, ...] = ()


def document_key(document: str) -> bytes:
    """The cache key of a document's text."""
    return hashlib.sha256(document.encode("utf-8", "surrogatepass")).digest()


def estimated_bytes(document: str, prepared: PreparedOperation) -> int:
    """What an entry is assumed to hold in memory."""
    if prepared.planned is None:
        return ENTRY_OVERHEAD + sum(len(str(e)) for e in prepared.errors)
    return ENTRY_OVERHEAD + BYTES_PER_CHARACTER * len(document)


class PlanCache:
    """Bounded least-recently-used map from (document, operation name) to its preparation:
    at most `capacity` entries and `max_bytes` estimated bytes (None: no byte bound)."""

    def __init__(self, capacity: int = DEFAULT_ENTRIES, max_bytes: int | None = DEFAULT_BYTES):
        self.capacity = capacity
        self.max_bytes = max_bytes
        self._entries: OrderedDict[
            tuple[bytes, str | None, frozenset[str] | None, frozenset[str]],
            tuple[PreparedOperation, int],
        ] = OrderedDict()
        self.bytes = 0
        self.hits = 0
        self.misses = 0

    def get_or_prepare(
        self,
        document: str,
        operation_name: str | None,
        prepare: Callable[
            [str, str | None, frozenset[str] | None, frozenset[str]], PreparedOperation
        ],
        defers_off: frozenset[str] | None = None,
        labels: frozenset[str] = frozenset(),
    ) -> PreparedOperation:
        """`defers_off` (None: `@defer` not planned) and `labels` (the active progressive
        override labels) are passed on to `prepare`: the same document is planned apart
        for each set of false `@defer(if:)` variables and of labels."""
        key = (document_key(document), operation_name, defers_off, labels)
        entries = self._entries
        found = entries.get(key)
        if found is not None:
            self.hits += 1
            entries.move_to_end(key)
            return found[0]
        self.misses += 1
        prepared = prepare(document, operation_name, defers_off, labels)
        size = estimated_bytes(document, prepared)
        if self.max_bytes is not None and size > self.max_bytes:
            return prepared  # larger than the whole cache: not kept
        entries[key] = (prepared, size)
        self.bytes += size
        while len(entries) > self.capacity or (
            self.max_bytes is not None and self.bytes > self.max_bytes
        ):
            _, (_, evicted) = entries.popitem(last=False)
            self.bytes -= evicted
        return prepared

    def __len__(self) -> int:
        return len(self._entries)

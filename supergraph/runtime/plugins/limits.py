"""Operation limits (Apollo Router's `limits`): refuse an operation too deep, too tall, with too
many root fields or aliases, before it is planned or any subgraph is called.

Measured on the client's validated operation exactly as Router measures it, so a limit tuned on
Router means the same here:

- depth: a field is one deeper than the deepest field it selects; fragments add no level;
- height: in each selection set, every distinct response key (alias, else field name) counts
  once, plus the height of every field's own selection (a key selected twice counts its
  sub-selections twice: an upper bound, as in Router);
- root fields: the distinct response keys selected directly on the root type (fields inside a
  fragment at the root are not counted: Router's documentation says they are, its code, which
  we follow, does not);
- aliases: every aliased field, fragments included.

A fragment spread counts its fragment once per spread (measured once, then reused).

On by default (`OperationLimits()`): depth 15, height 200, root fields 20, aliases 30, the
values Apollo's and graphql-armor's guidance give; None turns one limit off.

`warn_only` (Router's `limits.warn_only`): an operation over a limit runs as usual and each
exceeded limit is logged as a warning (limit, measured value, maximum, operation) instead.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_operation_ast,
    parse,
)

from supergraph.subscriptions import (
    ExecutionResult,
    OperationErrors,
    OperationRequest,
    SubscriptionSource,
)

from .document_limits import DocumentLimits

log = logging.getLogger(__name__)

# (limit, error code, Router's message), in the order Router reports them
_LIMITS = (
    ("depth", "MAX_DEPTH_LIMIT", "Maximum depth limit exceeded in this operation"),
    ("height", "MAX_HEIGHT_LIMIT", "Maximum height (field count) limit exceeded in this operation"),
    (
        "root_fields",
        "MAX_ROOT_FIELDS_LIMIT",
        "Maximum root fields limit exceeded in this operation",
    ),
    ("aliases", "MAX_ALIASES_LIMIT", "Maximum aliases limit exceeded in this operation"),
)


@dataclass(frozen=True)
class Measure:
    """What an operation (or one selection set of it) measures against each limit."""

    depth: int = 0
    height: int = 0
    root_fields: int = 0
    aliases: int = 0


@dataclass(frozen=True)
class OperationLimits:
    """The configured maxima; None leaves that measure unlimited. All None = off.
    `warn_only`: log what is exceeded and let the operation run. The defaults are the
    gateway's safe defaults."""

    max_depth: int | None = 15
    max_height: int | None = 200
    max_root_fields: int | None = 20
    max_aliases: int | None = 30
    warn_only: bool = False

    @classmethod
    def off(cls) -> OperationLimits:
        """No operation limit at all."""
        return cls(None, None, None, None)

    def __post_init__(self) -> None:
        for name in ("max_depth", "max_height", "max_root_fields", "max_aliases"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or value < 0):
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")

    @property
    def enabled(self) -> bool:
        return any(
            v is not None
            for v in (self.max_depth, self.max_height, self.max_root_fields, self.max_aliases)
        )

    def exceeded(
        self,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
    ) -> tuple[Exceeded, ...]:
        """Every limit the operation is over, in Router's order, whatever the mode."""
        measured = measure(operation, fragments)
        found = []
        for name, code, message in _LIMITS:
            limit = getattr(self, f"max_{name}")
            value = getattr(measured, name)
            if limit is not None and value > limit:
                found.append(Exceeded(name, code, message, value, limit))
        return tuple(found)

    def check(
        self,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
    ) -> tuple[dict[str, Any], ...]:
        """One GraphQL error per exceeded limit (none when the operation may run). In
        `warn_only` mode nothing is refused: each exceeded limit is logged instead."""
        found = self.exceeded(operation, fragments)
        if not self.warn_only:
            return tuple(e.error() for e in found)
        name = operation.name.value if operation.name else "(anonymous)"
        for e in found:
            log.warning(
                "operation limit exceeded, warn only so the operation runs: "
                "max_%s %d, %s %d, operation %s",
                e.name,
                e.limit,
                e.name,
                e.value,
                name,
            )
        return ()

    def refuses(
        self,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
    ) -> bool:
        """Whether `check` would refuse the operation (nothing is logged)."""
        return not self.warn_only and bool(self.exceeded(operation, fragments))


@dataclass(frozen=True)
class Exceeded:
    """One limit an operation is over: which, Router's code and message, measured vs max."""

    name: str
    code: str
    message: str
    value: int
    limit: int

    def error(self) -> dict[str, Any]:
        return {
            "message": f"{self.message} ({self.name}: {self.value}, max_{self.name}: "
            f"{self.limit}); simplify the operation or split it into several.",
            "extensions": {"code": self.code},
        }


def measure(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> Measure:
    """The operation's depth, height, root fields and aliases (see the module docstring)."""
    return _Counter(fragments).count(operation.selection_set)


class _Counter:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        # None while a fragment is being measured: a cycle (invalid anyway) counts nothing
        self.measured: dict[str, Measure | None] = {}

    def count(self, selection_set: SelectionSetNode | None) -> Measure:
        depth = height = keys = aliases = 0
        seen: set[str] = set()
        for selection in selection_set.selections if selection_set is not None else ():
            if isinstance(selection, FieldNode):
                nested = self.count(selection.selection_set)
                depth = max(depth, 1 + nested.depth)
                height += nested.height
                aliases += nested.aliases
                if selection.alias is not None:
                    aliases += 1
                key = (selection.alias or selection.name).value
                if key not in seen:
                    seen.add(key)
                    height += 1
                    keys += 1
                continue
            if isinstance(selection, InlineFragmentNode):
                nested = self.count(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                found = self._fragment(selection.name.value)
                if found is None:
                    continue
                nested = found
            else:  # pragma: no cover - the GraphQL grammar has no other selection
                continue
            depth = max(depth, nested.depth)
            height += nested.height
            aliases += nested.aliases
        return Measure(depth, height, keys, aliases)

    def _fragment(self, name: str) -> Measure | None:
        if name in self.measured:
            return self.measured[name]
        definition = self.fragments.get(name)
        if definition is None:
            return None
        self.measured[name] = None
        found = self.count(definition.selection_set)
        self.measured[name] = found
        return found


class LimitedSubscriptions:
    """The same limits in front of the subscription source (WebSocket, SSE, multipart), whose
    operations do not go through the gateway's `_prepare`: a subscription over a limit is
    refused when it opens, with the same errors."""

    def __init__(
        self,
        inner: SubscriptionSource,
        limits: OperationLimits | None,
        document_limits: DocumentLimits | None = None,
        repeatable: frozenset[str] = frozenset(),
    ) -> None:
        self.inner = inner
        self.limits = limits
        self.document_limits = document_limits
        self.repeatable = repeatable

    async def open(self, request: OperationRequest) -> AsyncIterator[ExecutionResult]:
        document: DocumentNode | None = None
        if request.query and self.document_limits is not None:
            try:
                parsed = self.document_limits.parse(request.query)
            except GraphQLError:  # a syntax error: the inner source reports it
                return await self.inner.open(request)
            if isinstance(parsed, dict):
                raise OperationErrors([parsed])
            refused = self.document_limits.check(parsed, self.repeatable)
            if refused is not None:
                raise OperationErrors([refused])
            document = parsed
        elif request.query:
            try:
                document = parse(request.query)
            except GraphQLError:
                document = None  # the inner source reports it
        if self.limits is None:
            return await self.inner.open(request)
        operation = (
            get_operation_ast(document, request.operation_name) if document is not None else None
        )
        if document is not None and operation is not None:
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            exceeded = self.limits.check(operation, fragments)
            if exceeded:
                raise OperationErrors(list(exceeded))
        return await self.inner.open(request)

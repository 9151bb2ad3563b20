"""The gateway's `SubscriptionSource`: event-driven fields from the feed, others forwarded.

For a field with `@eventSource`: subscribe to the feed with the field's filter, turn each
matching event into an entity reference, and resolve the client's selection through the
`SubscriptionResolver` (the runtime's planner), never older than the event. Results go
out one event at a time, in the order the feed delivered them (per entity: stream order).
Any other Subscription field is forwarded to its subgraph over graphql-transport-ws.

Subscribers with the same operation and variables share each event's resolution: the
first one to reach an event starts it, the others await the same result, so N identical
subscribers cost one planner run and one subgraph fetch per event, not N.

Arguments are checked when the subscription starts (`check_arguments`): when the
arguments name the entity (every key field has a filter argument on the same envelope
path, as `orderStatusChanged(orderId:)` filters on the order's key), the entity is
resolved once through the resolver, selecting only its version field. If the owning
subgraph refuses the key (`BAD_USER_INPUT`: `orderId: "nope"` is not an order id) the
subscription does not start and the client gets that error, as `order(id: "nope")`
would answer; an entity not found (null) or a subgraph that fails does not refuse it
(the entity may be created later, the read model may lag).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLNonNull,
    GraphQLSchema,
    NameNode,
    OperationType,
    SelectionSetNode,
    Visitor,
    get_operation_ast,
    parse,
    validate,
    visit,
)
from graphql.execution.values import get_argument_values, get_variable_values

from eventbus.envelope import Envelope

from .cursor import REORDER_HORIZON_S, DeliveryLog, ResumeCursor
from .events import EventFeed, SubscriptionClosed
from .freshness import (
    VERSION_ALIAS,
    Freshness,
    find_root_field,
    resolve_fresh,
    with_version_field,
)
from .replay import EventReplay, resume_cursor
from .resolver import SubscriptionResolver
from .source import (
    ExecutionResult,
    OperationErrors,
    OperationRequest,
    SubscriptionSource,
    operation_error,
)
from .spec import EventSource
from .tracing import pushing

log = logging.getLogger(__name__)

Execute = Callable[[OperationRequest], Awaitable[ExecutionResult]]
"""Runs a query or mutation (the gateway's HTTP pipeline), for clients that send every
operation over the WebSocket."""


async def _single(execute: Execute, request: OperationRequest) -> AsyncIterator[ExecutionResult]:
    yield await execute(request)


def _graphql_errors(errors: list[GraphQLError], code: str) -> OperationErrors:
    formatted: list[dict[str, Any]] = []
    for error in errors:
        entry: dict[str, Any] = dict(error.formatted)
        entry["extensions"] = {**(entry.get("extensions") or {}), "code": code}
        formatted.append(entry)
    return OperationErrors(formatted)


class SupergraphSubscriptions:
    """Serve a supergraph's Subscription type. `schema` is the API schema clients see."""

    def __init__(
        self,
        schema: GraphQLSchema,
        sources: Mapping[str, EventSource],
        feed: EventFeed,
        resolver: SubscriptionResolver,
        *,
        forwarders: Mapping[str, SubscriptionSource] | None = None,
        freshness: Freshness | None = None,
        execute: Execute | None = None,
        check_arguments: bool = True,
        replay: EventReplay | None = None,
        reorder_horizon: float = REORDER_HORIZON_S,
    ) -> None:
        self.schema = schema
        self.replay = replay  # replay.py: missed events for subscriptions that resume
        self.reorder_horizon = reorder_horizon  # cursor.py: how far a push trails
        self.check_arguments = check_arguments
        self.sources = dict(sources)
        self.feed = feed
        self.resolver = resolver
        self.forwarders = dict(forwarders or {})
        self.freshness = freshness or Freshness()
        self.execute = execute
        # (query, operation name, variables, event id) -> that event's resolution
        self._shared: OrderedDict[tuple[str, str | None, bytes, str], asyncio.Task[Any]] = (
            OrderedDict()
        )
        self.shared_limit = 4096

    async def open(self, request: OperationRequest) -> AsyncIterator[ExecutionResult]:
        try:
            document = parse(request.query)
        except GraphQLError as exc:
            raise _graphql_errors([exc], "GRAPHQL_PARSE_FAILED") from None
        problems = validate(self.schema, document)
        if problems:
            raise _graphql_errors(problems, "GRAPHQL_VALIDATION_FAILED")
        operation = get_operation_ast(document, request.operation_name)
        if operation is None:
            raise operation_error(
                "pick the operation to run with operationName"
                if request.operation_name is None
                else f"the document has no operation named {request.operation_name!r}"
            )
        if operation.operation != OperationType.SUBSCRIPTION and self.execute is not None:
            return _single(self.execute, request)
        if operation.operation != OperationType.SUBSCRIPTION:
            raise operation_error(
                f"this endpoint streams subscriptions; send {operation.operation.value} "
                "operations to the GraphQL endpoint over HTTP"
            )
        subscription_type = self.schema.subscription_type
        assert subscription_type is not None  # validation passed a subscription
        root = find_root_field(document, operation)
        field_name = root.name.value
        field_def = subscription_type.fields[field_name]
        coerced = get_variable_values(
            self.schema, operation.variable_definitions or (), dict(request.variables or {})
        )
        if isinstance(coerced, list):
            raise _graphql_errors(coerced, "BAD_USER_INPUT")
        try:
            arguments = get_argument_values(field_def, root, coerced)
        except GraphQLError as exc:
            raise _graphql_errors([exc], "BAD_USER_INPUT") from None

        source = self.sources.get(field_name)
        if source is not None:
            resume = resume_cursor(request)
            variables = dict(request.variables or {})
            if self.check_arguments:
                await self._check_arguments(
                    source,
                    arguments,
                    _probe(document, root, source.version_field),
                    variables,
                    request.operation_name,
                    root.alias.value if root.alias else field_name,
                )
            return await self._events(
                source,
                arguments,
                with_version_field(document, request.operation_name, source.version_field),
                variables,
                request.operation_name,
                root.alias.value if root.alias else field_name,
                not isinstance(field_def.type, GraphQLNonNull),
                (
                    request.query,
                    request.operation_name,
                    orjson.dumps(variables, option=orjson.OPT_SORT_KEYS),
                ),
                resume,
            )
        forwarder = self.forwarders.get(field_name)
        if forwarder is not None:
            return await forwarder.open(request)
        raise operation_error(
            f"Subscription.{field_name} has no event source and no subgraph to forward to",
            "INTERNAL_SERVER_ERROR",
        )

    async def _check_arguments(
        self,
        source: EventSource,
        arguments: dict[str, Any],
        probe: DocumentNode,
        variables: dict[str, Any],
        operation_name: str | None,
        alias: str,
    ) -> None:
        """Refuse to start when the owning subgraph says the arguments' entity key is
        invalid (its BAD_USER_INPUT errors, passed through)."""
        representation = source.representation_from_arguments(arguments)
        if representation is None:
            return
        try:
            result = await self.resolver.resolve(
                source.entity, representation, probe, variables, operation_name, alias, None
            )
        except Exception:
            log.warning("could not check the arguments of %s; starting it", source.field)
            return
        refused = [
            {k: v for k, v in e.items() if k != "path"}
            for e in result.get("errors") or []
            if isinstance(e, dict) and (e.get("extensions") or {}).get("code") in REFUSING_CODES
        ]
        if refused:
            raise OperationErrors(refused)

    async def _events(
        self,
        source: EventSource,
        arguments: dict[str, Any],
        document: DocumentNode,
        variables: dict[str, Any],
        operation_name: str | None,
        alias: str,
        nullable: bool,
        share: tuple[str, str | None, bytes],
        resume: ResumeCursor | None = None,
    ) -> AsyncIterator[ExecutionResult]:
        # Subscribe now, not on first iteration: events after `open` returns are delivered.
        try:
            subscription = self.feed.subscribe(
                source.topic, lambda envelope: source.accepts(envelope, arguments)
            )
        except SubscriptionClosed as exc:
            code = getattr(exc, "code", "SUBSCRIPTION_ENDED")
            raise operation_error(str(exc), code) from None
        arrivals = self.feed.arrivals(source.topic)  # in the same step as subscribing
        # Resuming: read the store only now that the live subscription holds what comes next.
        missed: list[Envelope] = []
        if resume is not None:
            if self.replay is None:
                subscription.close()
                raise operation_error(
                    "this gateway cannot replay missed events; re-query, then subscribe "
                    "without resumeFrom",
                    "RESUME_UNAVAILABLE",
                )
            try:
                stored = await self.replay.missed(source.topic, resume.watermark)
            except BaseException:
                subscription.close()
                raise
            missed = [
                e
                for e in stored
                if not resume.covers(e.position or 0) and source.accepts(e, arguments)
            ]
        replayed = {e.id for e in missed}
        current: list[Envelope] = []  # the event `stream` is resolving (one at a time)

        async def events() -> AsyncGenerator[Envelope, None]:
            for envelope in missed:
                current[:] = [envelope]
                yield envelope
            async for envelope in subscription:
                if envelope.id in replayed:
                    continue  # replayed from the store already
                if resume is not None and resume.covers(envelope.position or 0):
                    continue  # the client had it before it reconnected
                current[:] = [envelope]
                yield envelope

        async def stream() -> AsyncGenerator[ExecutionResult, None]:
            try:
                async for envelope in events():
                    representation = source.representation(envelope)
                    if representation is None:
                        log.warning(
                            "event %s (%s) lacks the key of %s; skipped",
                            envelope.id,
                            envelope.type,
                            source.entity,
                        )
                        continue
                    with pushing(envelope, source.entity):  # tracing.py: the event's trace
                        key = (*share, envelope.id)
                        resolution = self._shared.get(key)
                        if resolution is None:
                            resolution = asyncio.ensure_future(
                                resolve_fresh(
                                    self.resolver,
                                    entity=source.entity,
                                    representation=representation,
                                    document=document,
                                    variables=variables,
                                    operation_name=operation_name,
                                    field_alias=alias,
                                    min_version=envelope.stream_version,
                                    nullable=nullable,
                                    freshness=self.freshness,
                                )
                            )
                            self._shared[key] = resolution
                            while len(self._shared) > self.shared_limit:
                                self._shared.popitem(last=False)
                        # shielded: one subscriber leaving must not cancel the others' result
                        pushed = await asyncio.shield(resolution)
                    yield pushed
            except SubscriptionClosed as exc:
                code = getattr(exc, "code", "SUBSCRIPTION_ENDED")
                raise operation_error(str(exc), code) from None
            finally:
                subscription.close()

        delivered = (
            DeliveryLog.resumed(resume, horizon=self.reorder_horizon)
            if resume is not None
            else DeliveryLog.fresh(arrivals, horizon=self.reorder_horizon)
        )

        async def positioned() -> AsyncGenerator[ExecutionResult, None]:
            async with contextlib.aclosing(stream()) as results:
                async for result in results:
                    yield with_position(result, current[0], delivered) if current else result

        return _ClosingStream(positioned(), subscription.close)


def with_position(
    result: ExecutionResult, envelope: Envelope, delivered: DeliveryLog
) -> ExecutionResult:
    """The push for `envelope`: its result (shared by subscribers: copied, not changed)
    with ``extensions.position`` (the event's) and ``extensions.cursor`` (this
    subscriber's, what it resumes from: cursor.py)."""
    if envelope.position is None:
        return result
    extensions = result.get("extensions")
    merged = {
        **(extensions if isinstance(extensions, dict) else {}),
        "position": envelope.position,
        "cursor": str(delivered.pushed(envelope.position)),
    }
    return {**result, "extensions": merged}


REFUSING_CODES = frozenset({"BAD_USER_INPUT"})
"""Codes of the argument check's errors that stop a subscription from starting."""


def _probe(document: DocumentNode, root: FieldNode, version_field: str) -> DocumentNode:
    """`document` whose root field selects only the entity's version field."""
    only = FieldNode(
        alias=NameNode(value=VERSION_ALIAS),
        name=NameNode(value=version_field),
        arguments=(),
        directives=(),
    )
    narrowed = dataclasses.replace(root, selection_set=SelectionSetNode(selections=(only,)))

    class _Narrow(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> FieldNode | None:
            return narrowed if node is root else None

    result = visit(document, _Narrow())
    assert isinstance(result, DocumentNode)
    return result


class _ClosingStream(AsyncIterator[ExecutionResult]):
    """An async generator whose `aclose` also frees the feed subscription.

    A generator closed before its first step never runs its `finally`, so a client that
    unsubscribes before any event would otherwise leave its feed subscription behind.
    """

    def __init__(
        self, inner: AsyncGenerator[ExecutionResult, None], on_close: Callable[[], None]
    ) -> None:
        self._inner = inner
        self._on_close = on_close

    def __aiter__(self) -> _ClosingStream:
        return self

    async def __anext__(self) -> ExecutionResult:
        return await anext(self._inner)

    async def aclose(self) -> None:
        self._on_close()
        await self._inner.aclose()

"""The gateway pipeline: document -> prepared operation (cached) -> plan run -> shaped response.

Transport-neutral: `server/endpoint.py` adapts it to GraphQL-over-HTTP; embedded mode can
call `Gateway.execute` directly. Every GraphQL-level problem becomes a response with errors;
nothing here raises to the caller for a bad request.

The pipeline knows the policies only through the plugin API (`plugins/api.py`): it calls
the chain's operation hooks at fixed points (who is asking, the document, parse and the
document checks in the cached preparation, the prepared request, the shaped data, the
response). `plugins/builtin.py` puts the built-in policies in that chain (`Gateway`).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values

from .execution.errors import error, located
from .execution.events import EventResolution
from .execution.executor import Executor, RunState
from .execution.incremental import Completion, DeferredDelivery, DeferredRun, timeout_error
from .execution.introspection import introspect, introspection_document
from .execution.shaping import Shaper
from .fetching.fetcher import Fetcher
from .fetching.subgraph_identity import IdentitySigner
from .planning import defer_directives
from .planning.fields import PlanningError
from .planning.override_labels import CustomLabels, OverrideLabels
from .planning.plan_cache import DEFAULT_BYTES, DEFAULT_ENTRIES, PlanCache, PreparedOperation
from .planning.planner import Planner
from .planning.unplannable import complete as complete_unplannable
from .planning.unplannable import plan_answerable
from .plugins.api import (
    ANONYMOUS,
    Body,
    Plugin,
    Plugins,
    PreparedRequest,
    Respond,
    SupergraphRequest,
    request_context,
)
from .supergraph_schema import Supergraph, load_supergraph
from .tracing import in_span, name_operation, operation_span

log = logging.getLogger(__name__)

# the pipeline's safe defaults (README "Safe defaults"; the policies' are in
# plugins/builtin.py); None turns each off
DEFAULT_DEADLINE = 30.0  # seconds for one request, subgraph calls included
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024  # serialized JSON
RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE"


@dataclass
class GatewayRequest:
    """One GraphQL request as the transport decoded it."""

    query: str | None
    variables: Mapping[str, Any] | None = None
    operation_name: str | None = None
    extensions: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    include_plan: bool = False
    allow_mutations: bool = True
    document_id: str | None = None  # a trusted document's id (plugins/trusted_documents.py)
    override_labels: frozenset[str] | None = None  # drawn by `Gateway.labels_for`


@dataclass
class GatewayResponse:
    """The GraphQL response body and whether it is a request error (no `data` entry)."""

    body: dict[str, Any]
    request_error: bool = False
    status_hint: int | None = None
    # a deferring query's initial payload: what its deferred fragments are read from
    deferred: DeferredRun | None = None


_INTERNAL = {"errors": [error("Internal gateway error.", "INTERNAL_SERVER_ERROR")]}


class Pipeline:
    """Serves one supergraph: owns the plan cache and subgraph connections, and runs each
    request through the stages and the plugin chain's hooks (`plugins/api.py`)."""

    def __init__(
        self,
        supergraph_sdl: str,
        *,
        supergraph: Supergraph | None = None,
        subgraph_urls: Mapping[str, str] | None = None,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        forward_headers: tuple[str, ...] | list[str] = (),
        timeout: float = 30.0,
        plan_cache_size: int = DEFAULT_ENTRIES,
        plan_cache_bytes: int | None = DEFAULT_BYTES,
        deadline: float | None = DEFAULT_DEADLINE,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
        subgraph_identity: IdentitySigner | None = None,
        override_labels: CustomLabels | None = None,
        override_random: random.Random | None = None,
        fetcher: Fetcher | None = None,
        plugins: Sequence[Plugin] = (),
    ) -> None:
        """`supergraph`: `supergraph_sdl` already loaded (the assembly loads it first, for
        the policies that read it); `plugins`: the whole chain, built-ins first."""
        self.supergraph: Supergraph = supergraph or load_supergraph(supergraph_sdl)
        # subgraph_identity.py: the signed identity every subgraph request carries
        self.subgraph_identity = subgraph_identity
        # 0 (or None) turns `deadline`, `max_response_bytes`, `plan_cache_bytes` off
        self.deadline = deadline or None
        self.max_response_bytes = max_response_bytes or None
        self.supergraph_sdl = supergraph_sdl
        urls = {g.name: g.url for g in self.supergraph.graphs.values()}
        unknown = set(subgraph_urls or {}) - set(urls)
        if unknown:
            raise ValueError(
                f"subgraph URL override for unknown subgraph(s) {sorted(unknown)}; "
                f"the supergraph has {sorted(urls)}"
            )
        urls.update(subgraph_urls or {})
        self.urls = urls
        # a reloaded gateway keeps its predecessor's fetcher: connections, breakers, budgets
        self.fetcher = fetcher or Fetcher(timeout=timeout, transports=transports)
        api = self.supergraph.api_schema
        schema = self.supergraph.schema
        possible = {
            name: frozenset(p.name for p in schema.get_possible_types(t))
            for name, t in schema.type_map.items()
            if isinstance(t, GraphQLInterfaceType | GraphQLUnionType) and not name.startswith("__")
        }
        self.object_types = frozenset(
            name for name, t in api.type_map.items() if isinstance(t, GraphQLObjectType)
        )
        # plugins/api.py: around the request stages, the built-in policies among them
        self.plugins = Plugins(plugins)
        self._hooks()
        self.executor = Executor(self.fetcher, urls, possible, self.plugins)
        # execution/incremental.py: the deferred fragments' payloads after the primary one
        self.deferred = DeferredDelivery(self.executor, self.object_types, self.deadline)
        self.plan_cache = PlanCache(plan_cache_size, plan_cache_bytes or None)
        self.plan_cache_size = plan_cache_size
        self.forward_headers = tuple(h.lower() for h in forward_headers)
        # override_labels.py: `percent(N)` labels drawn per request, custom ones as given
        self.override_labels = OverrideLabels(
            self.supergraph.override_labels, override_labels, override_random
        )
        # execution/events.py: subscription events, planned as entity fetches (cached)
        self.events = EventResolution(
            self.supergraph, self.executor, self.object_types, self.subgraph_identity
        )

    def use_plugins(self, plugins: Sequence[Plugin]) -> None:
        """Run requests through `plugins` from now on (a policy turned on or off)."""
        self.plugins.replace(plugins)
        self._hooks()

    def _hooks(self) -> None:
        """The operation hooks' chains, read once here rather than per request."""
        hooks = self.plugins.operation
        self._identify = hooks["identify"]
        self._document = hooks["document"][0] if hooks["document"] else None
        self._parse = hooks["parse"][0].parse if hooks["parse"] else parse
        self._check_document = hooks["check_document"]
        self._check_operation = hooks["check_operation"]
        self._prepared_request = hooks["prepared_request"]
        self._complete_data = hooks["complete_data"]
        self._operation_response = hooks["operation_response"]
        self._plan_extensions = hooks["plan_extensions"]
        # a `PreparedRequest` is made only for a chain that reads it
        self._operation_hooks = bool(
            self._prepared_request
            or self._complete_data
            or self._operation_response
            or self._plan_extensions
        )
        self._check_before_streaming = any(
            getattr(p, "checks_before_streaming", False) for p in self.plugins.plugins
        )

    async def aclose(self) -> None:
        await self.fetcher.aclose()

    def resolve_document(self, request: GatewayRequest) -> Any:
        """The text `request` names (`Plugin.document`: APQ, trusted documents), a
        `DocumentError`, or None."""
        if self._document is None:
            return request.query
        return self._document.document(request)

    # ---- preparation (cached) ----

    def prepare(
        self,
        document: str,
        operation_name: str | None,
        defers_off: frozenset[str] | None = None,
        labels: frozenset[str] = frozenset(),
    ) -> PreparedOperation:
        """`defers_off`: plan active `@defer`s, those whose `if:` is one of these variables
        being off (None: `@defer` is not planned, the fragments run inline). `labels`: the
        request's active progressive override labels (`override_labels.py`)."""
        return self.plan_cache.get_or_prepare(
            document, operation_name, self._prepare, defers_off, labels
        )

    def labels_for(self, request: GatewayRequest) -> frozenset[str]:
        """The request's progressive override labels, drawn once and kept on the request."""
        if request.override_labels is None:
            request.override_labels = self.override_labels.active(request.headers)
        return request.override_labels

    def _prepare(
        self,
        document: str,
        operation_name: str | None,
        defers_off: frozenset[str] | None,
        labels: frozenset[str] = frozenset(),
    ) -> PreparedOperation:
        try:
            parsed = in_span("graphql parse", self._parse, document)  # tracing.py
        except GraphQLError as exc:
            return PreparedOperation(errors=(located(exc, "GRAPHQL_PARSE_FAILED"),))
        if isinstance(parsed, dict):
            return PreparedOperation(errors=(parsed,))
        doc = parsed
        for plugin in self._check_document:  # document limits
            refused = plugin.check_document(doc)
            if refused is not None:
                return PreparedOperation(errors=(refused,))
        errors = in_span("graphql validate", validate, self.supergraph.api_schema, doc)
        if errors:
            return PreparedOperation(
                errors=tuple(located(e, "GRAPHQL_VALIDATION_FAILED") for e in errors)
            )
        operation = get_operation_ast(doc, operation_name)
        if operation is None:
            message = (
                f'Unknown operation named "{operation_name}".'
                if operation_name
                else "Must provide operation name if query contains multiple operations."
            )
            return PreparedOperation(errors=(error(message, "OPERATION_RESOLUTION_FAILURE"),))
        fragments = _fragments(doc)
        for plugin in self._check_operation:  # operation limits
            exceeded = plugin.check_operation(operation, fragments, defers_off is not None)
            if exceeded:
                return PreparedOperation(errors=tuple(exceeded))
        if operation.operation.value == "subscription":
            return PreparedOperation(
                errors=(
                    error(
                        "Subscriptions are not executed over plain HTTP requests; use a "
                        "graphql-transport-ws or GraphQL-over-SSE connection.",
                        "SUBSCRIPTION_NOT_SUPPORTED",
                    ),
                )
            )
        partial = None
        try:
            try:
                planner = Planner(self.supergraph, operation, fragments, defers_off, labels)
                planned = in_span("graphql plan", planner.plan)
            except PlanningError as exc:
                partial = plan_answerable(
                    self.supergraph, operation, fragments, defers_off, exc, labels
                )
                planned = partial.planned
        except PlanningError as exc:
            return PreparedOperation(errors=(error(str(exc), "QUERY_PLANNING_FAILED"),))
        except Exception:
            log.exception("query planning failed for operation %r", operation_name)
            return PreparedOperation(
                errors=(
                    error(
                        "The gateway could not plan this operation; the gateway log has details.",
                        "QUERY_PLANNING_FAILED",
                    ),
                )
            )
        introspection_doc = None
        if planned.introspection:
            introspection_doc = introspection_document(doc, operation)
        return PreparedOperation(
            kind=operation.operation.value,
            planned=planned,
            variable_definitions=tuple(operation.variable_definitions or ()),
            introspection_document=introspection_doc,
            operation=operation,
            fragments=fragments,
            unplannable=partial.unplannable if partial else (),
            root_keys=partial.keys if partial else (),
        )

    # ---- execution ----

    async def execute(
        self,
        request: GatewayRequest,
        *,
        cost_check_only: bool = False,
        deferring: frozenset[str] | None = None,
    ) -> GatewayResponse:
        """Answer one request. `cost_check_only` stops after the `prepared_request` hooks
        (the cost check; no subgraph called): an empty body when the operation may run,
        else its request errors. `deferring` (the false variables of `@defer(if:)`s): plan
        active `@defer`s and answer with the initial payload only, the rest left in
        `GatewayResponse.deferred`. Past the deadline the request's subgraph calls are
        cancelled and it gets a `GATEWAY_TIMEOUT` error (HTTP 504); a response serialized
        larger than `max_response_bytes` is replaced by a `RESPONSE_TOO_LARGE` error."""
        deadline_at = None
        if self.deadline is not None:
            deadline_at = asyncio.get_running_loop().time() + self.deadline
        try:
            async with asyncio.timeout_at(deadline_at):
                with operation_span(request.operation_name):  # tracing.py
                    response = await self._execute(request, cost_check_only, deferring, deadline_at)
        except TimeoutError:
            return _timed_out(self.deadline)
        if self.max_response_bytes is not None and "data" in response.body:
            size = len(orjson.dumps(response.body))
            if size > self.max_response_bytes:
                log.warning("response of %d bytes refused (max %d)", size, self.max_response_bytes)
                message = (
                    f"The response ({size} bytes) is larger than the maximum of "
                    f"{self.max_response_bytes} bytes; ask for fewer fields or list items."
                )
                return GatewayResponse(
                    {"data": None, "errors": [error(message, RESPONSE_TOO_LARGE)]}
                )
        return response

    async def _execute(
        self,
        request: GatewayRequest,
        cost_check_only: bool,
        deferring: frozenset[str] | None,
        deadline_at: float | None,
    ) -> GatewayResponse:
        try:
            return await self._run(request, cost_check_only, deferring, deadline_at)
        except Respond as answer:  # an operation hook ended the request (plugins/api.py)
            return GatewayResponse(answer.body, answer.request_error, answer.status)

    async def _run(
        self,
        request: GatewayRequest,
        cost_check_only: bool,
        deferring: frozenset[str] | None,
        deadline_at: float | None,
    ) -> GatewayResponse:
        identity = ANONYMOUS
        for plugin in self._identify:  # authentication
            found = await plugin.identify(request)
            if found is not None:
                identity = found
                break
        document = self.resolve_document(request)  # APQ, trusted documents
        if document is None:
            return GatewayResponse(
                {"errors": [error("The request has no query.", "BAD_REQUEST")]}, True, 400
            )
        if not isinstance(document, str):
            return GatewayResponse(
                {"errors": [error(document.message, document.code)]}, True, document.status
            )
        labels = self.labels_for(request)
        prepared = self.prepare(document, request.operation_name, deferring, labels)
        name_operation(prepared.operation)  # tracing.py: the span named for the document's
        if prepared.errors:
            return GatewayResponse({"errors": list(prepared.errors)}, True)
        if prepared.kind == "mutation" and not request.allow_mutations:
            return GatewayResponse(
                {"errors": [error("Mutations cannot be sent with GET; use POST.", "BAD_REQUEST")]},
                True,
                405,
            )
        coerced = get_variable_values(
            self.supergraph.api_schema,
            prepared.variable_definitions,
            dict(request.variables or {}),
        )
        if isinstance(coerced, list):
            return GatewayResponse(
                {"errors": [located(e, "BAD_USER_INPUT") for e in coerced]}, True
            )
        variables = coerced.coerced
        operation = None
        if self._operation_hooks:
            operation = PreparedRequest(
                request,
                identity,
                document,
                prepared,
                variables,
                lambda text: self.prepare(text, request.operation_name, deferring, labels),
            )
            for plugin in self._prepared_request:  # authorization, then demand control
                await plugin.prepared_request(operation)
            prepared = operation.prepared
        if cost_check_only:
            return GatewayResponse({})
        planned = prepared.planned
        assert planned is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() in self.forward_headers}
        if self.subgraph_identity is not None:
            headers.update(self.subgraph_identity.headers(identity.claims))
        context = request_context.get()
        state = RunState(
            variables, headers, planned.source_to_key, context=context if context else {}
        )
        stage = None
        if self.plugins.supergraph:  # plugins/api.py: the supergraph stage
            stage = SupergraphRequest(request, prepared.operation, planned, identity, state.context)
            try:
                answer = await self.plugins.supergraph_request(stage)
            except Exception:
                log.exception("a plugin failed at the supergraph stage")
                return GatewayResponse(_INTERNAL, True, 500)
            if answer is not None:
                return GatewayResponse(answer, "data" not in answer)
        try:
            if prepared.introspection_document is not None:
                introspect(
                    self.supergraph.api_schema, prepared.introspection_document, variables, state
                )
            if planned.deferred:
                await self.executor.run_node(planned.primary, state)
                shaper = Shaper(variables, self.object_types, frozenset({0}))
            else:
                await self.executor.run(planned, state)
                shaper = Shaper(variables, self.object_types)
            data = shaper.shape_root(state.data, planned.shape, planned.root_type)
        except Exception:
            log.exception("gateway failure while executing an operation")
            return GatewayResponse(
                {
                    "data": None,
                    "errors": [error("Internal gateway error.", "INTERNAL_SERVER_ERROR")],
                }
            )
        left_out: list[dict[str, Any]] = []
        if prepared.unplannable:
            data, left_out = complete_unplannable(data, prepared.unplannable, prepared.root_keys)
        if operation is not None:
            for plugin in self._complete_data:  # authorization: the removed fields' nulls
                data, removed = plugin.complete_data(operation, data, bool(planned.deferred))
                operation.removed += removed
        body: dict[str, Any] = {}
        # Like Apollo's gateway: null-propagation errors are reported only when no
        # subgraph error already explains the missing data.
        errors = (state.errors or shaper.errors) + left_out
        if errors:
            body["errors"] = errors
        body["data"] = data
        if operation is not None:
            for plugin in self._operation_response:  # authorization's errors
                body = plugin.operation_response(operation, body)
        if request.include_plan:
            extensions = body.setdefault("extensions", {})
            extensions["queryPlan"] = planned.plan.to_json()
            if operation is not None:
                for plugin in self._plan_extensions:  # demand control: `cost`
                    more = plugin.plan_extensions(operation)
                    if more:
                        extensions.update(more)
        if stage is not None:
            try:
                body = await self.plugins.supergraph_response(stage, body)
            except Exception:
                log.exception("a plugin failed at the supergraph response stage")
                return GatewayResponse(_INTERNAL, True, 500)
        if planned.deferred:
            reported = list(body.get("errors") or ())
            complete = None
            if operation is not None:
                reported += operation.reported + operation.removed
                if self._complete_data:
                    complete = self._completion(operation)
            requested = dict(request.variables or {})
            run = DeferredRun(planned, state, variables, requested, complete, reported, deadline_at)
            return GatewayResponse(body, deferred=run)
        return GatewayResponse(body)

    def _completion(self, operation: PreparedRequest) -> Completion:
        """`complete_data` of a deferred fragment's payload (execution/incremental.py)."""
        hooks = self._complete_data

        def complete(data: Body | None) -> tuple[Body | None, list[Body]]:
            removed: list[Body] = []
            for plugin in hooks:
                data, more = plugin.complete_data(operation, data, False)
                removed += more
            return data, removed

        return complete

    async def execute_incremental(
        self, request: GatewayRequest
    ) -> AsyncIterator[dict[str, Any]] | None:
        """Payloads for a query with an active `@defer` (see `execution/defer.py`): the
        initial one as soon as the primary fetches are done, then each deferred fragment as
        soon as its own are. None when the request has no active `@defer` (answer it with
        `execute`)."""
        document = self.resolve_document(request)
        if not isinstance(document, str):
            return None
        # the cached preparation (parse, limits) of the document: never parsed again here;
        # when it failed, `execute` (the caller's fallback) answers with its errors
        prepared = self.prepare(document, request.operation_name)
        operation = prepared.operation
        if prepared.errors or operation is None or prepared.kind not in ("query", "mutation"):
            return None
        if prepared.kind == "mutation" and not request.allow_mutations:
            return None  # `execute` refuses it (a GET)
        variables = dict(request.variables or {})
        if not defer_directives.has_active(operation, prepared.fragments, variables):
            return None
        # the whole operation is checked (costed) before any subgraph is called; when it is
        # refused, `execute` (the caller's fallback) answers with the same error
        if (
            self._check_before_streaming
            and (await self.execute(request, cost_check_only=True)).body
        ):
            return None
        doc = DocumentNode(definitions=(operation, *prepared.fragments.values()))
        off = frozenset(defer_directives.inactive_variables(doc, variables))
        return self._payloads(request, off)

    async def _payloads(
        self, request: GatewayRequest, off: frozenset[str]
    ) -> AsyncIterator[dict[str, Any]]:
        first = await self.execute(request, deferring=off)
        run = first.deferred
        if first.request_error or first.body.get("data") is None or run is None:
            yield {**first.body, "hasNext": False}
            return
        yield {**first.body, "hasNext": True}
        async for payload in self.deferred.payloads(run):
            yield payload

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
        see `execution/events.py`."""
        return await self.events.resolve(
            entity_typename,
            representation,
            document,
            variables,
            operation_name,
            field_alias,
            min_version,
        )


def _timed_out(deadline: float | None) -> GatewayResponse:
    return GatewayResponse({"data": None, "errors": [timeout_error(deadline)]}, False, 504)


def _fragments(doc: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}

"""The built-in policies as plugins, and the gateway that assembles them (the composition
root: the one module on the stage side that names the policies).

Each policy is a `Plugin` implementing the operation hooks it needs (`plugins/api.py`):

- `DocumentLimitsPolicy`: `parse` (length, nesting, tokens), `check_document` (expanded
  fields, directives, repeated fields): `OPERATION_TOO_LARGE`, `MAX_*_LIMIT`;
- `OperationLimitsPolicy`: `check_operation` (depth, height, root fields, aliases);
- `AuthenticationPolicy`: `identify` (the JWT): `UNAUTHENTICATED`, HTTP 401;
- `DocumentsPolicy`: `document` (APQ, or the trusted documents wrapping it);
- `AuthorizationPolicy`: `prepared_request` (filter, reject, dry run), `complete_data`,
  `operation_response`: `UNAUTHORIZED_FIELD_OR_TYPE`;
- `DemandControlPolicy`: `prepared_request` (the cost check), `plan_extensions`:
  `COST_ESTIMATED_TOO_EXPENSIVE`.

They run in the order the pipeline calls the hooks, which is the order they refused in
before they were plugins: authentication, then the document (APQ/trusted), then the
cached preparation (document limits before validation, operation limits after it), then
authorization, then demand control (after filtering: what is removed is free). A policy
that is off is left out of the chain, so it costs nothing per request. Read-your-writes
(`consistency.py`) and the operator's plugins follow them.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from graphql import DocumentNode, FragmentDefinitionNode, OperationDefinitionNode

from supergraph.subscriptions import SubscriptionSource

from ..apq import PersistedQueries
from ..execution.errors import error
from ..fetching.fetcher import Fetcher
from ..fetching.subgraph_identity import ClaimsOf, IdentifiedSubscriptions, IdentitySigner
from ..gateway import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BYTES, GatewayRequest, Pipeline
from ..planning.override_labels import CustomLabels
from ..planning.plan_cache import DEFAULT_BYTES, DEFAULT_ENTRIES
from ..supergraph_schema import load_supergraph
from .api import Body, DocumentError, Identity, Plugin, PreparedRequest, Respond
from .authentication import AuthenticationError, JwtAuthenticator
from .authorization import (
    AuthorizationMode,
    Authorizer,
    ErrorReporting,
    Filtered,
    PolicyEvaluator,
    SubscriptionGuard,
)
from .consistency import ReadYourWrites
from .demand_control import CostEstimator, DemandControl
from .document_limits import DocumentLimits
from .limits import LimitedSubscriptions, OperationLimits
from .trusted_documents import TrustedDocuments, TrustedSubscriptions

log = logging.getLogger("supergraph.runtime.gateway")  # the pipeline's log, as before

# the policies' safe defaults (README "Safe defaults"); None turns each off
DEFAULT_LIMITS = OperationLimits()
DEFAULT_DOCUMENT_LIMITS = DocumentLimits()
DEFAULT_DEMAND_CONTROL = DemandControl.safe_default()
UNLIMITED_DOCUMENTS = DocumentLimits(None, None, None, None, None, None)


class DocumentParser(Plugin):
    """Parses with the document limits checked before and while parsing (length, nesting,
    tokens); with `UNLIMITED_DOCUMENTS`, graphql-core's parse with its own depth guard."""

    name = "document-parser"

    def __init__(self, limits: DocumentLimits) -> None:
        self.limits = limits

    def parse(self, text: str) -> DocumentNode | Body:
        return self.limits.parse(text)


class DocumentLimitsPolicy(DocumentParser):
    """`DocumentParser`, and the limits of the parsed document (expanded fields,
    directives, repeated fields) before validation."""

    name = "document-limits"

    def __init__(self, limits: DocumentLimits, repeatable: frozenset[str]) -> None:
        super().__init__(limits)
        self.repeatable = repeatable

    def check_document(self, document: DocumentNode) -> Body | None:
        return self.limits.check(document, self.repeatable)


class OperationLimitsPolicy(Plugin):
    name = "operation-limits"

    def __init__(self, limits: OperationLimits) -> None:
        self.limits = limits

    def check_operation(
        self,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        deferring: bool,
    ) -> tuple[Body, ...]:
        # a `@defer` variant's document was prepared (and warned about) plain first, by
        # `execute_incremental`: one warning per operation
        if self.limits.warn_only and deferring:
            return ()
        return self.limits.check(operation, fragments)


class AuthenticationPolicy(Plugin):
    name = "authentication"

    def __init__(self, authenticator: JwtAuthenticator) -> None:
        self.authenticator = authenticator

    async def identify(self, request: GatewayRequest) -> Identity | None:
        try:
            return await self.authenticator.authenticate(request.headers)
        except AuthenticationError as exc:
            raise Respond({"errors": [error(str(exc), "UNAUTHENTICATED")]}, True, 401) from None


class DocumentsPolicy(Plugin):
    name = "documents"

    def __init__(self, source: PersistedQueries | TrustedDocuments) -> None:
        self.source = source

    def document(self, request: GatewayRequest) -> str | DocumentError | None:
        return self.source.resolve(request.query, request.extensions, request.document_id)


@dataclass
class _Authorized:
    filtered: Filtered | None
    unauthorized: list[dict[str, Any]] = field(default_factory=list)  # reject/dry run


class AuthorizationPolicy(Plugin):
    """Before planning, the operation without what the caller may not see (filter), or
    refused (reject), or run as sent with the errors added (dry run); after shaping, each
    removed field answered null with its error, placed where `ErrorReporting` says."""

    name = "authorization"

    def __init__(self, authorizer: Authorizer) -> None:
        self.authorizer = authorizer

    async def prepared_request(self, request: PreparedRequest) -> None:
        authorizer = self.authorizer
        asked = request.request
        # the plan of the filtered text is cached under that text: keyed on the outcome
        filtered = authorizer.authorize(
            request.document, asked.operation_name, request.identity, asked.headers
        )
        unauthorized: list[dict[str, Any]] = []
        if filtered is not None and authorizer.mode != "filter":
            # reject: refused before planning; dry run: the client's document is planned/run
            unauthorized = filtered.errors()
            if authorizer.mode == "reject":
                raise Respond(*authorizer.reporting.refusal(unauthorized))
            filtered = None
        request.notes[self] = _Authorized(filtered, unauthorized)
        request.reported += unauthorized
        if filtered is not None and filtered.document is not None:
            prepared = request.prepare(filtered.document)
            if prepared.errors:
                log.error("filtered operation failed to prepare: %s", prepared.errors)
                raise Respond({"errors": list(prepared.errors)}, True)
            request.prepared = prepared
            request.document = filtered.document
        elif filtered is not None:  # nothing left to run: no subgraph is called
            nothing, refused = authorizer.complete({}, filtered, request.variables)
            raise Respond(authorizer.reporting.report({"data": nothing}, refused), False)

    def complete_data(
        self, request: PreparedRequest, data: Body | None, initial_payload: bool
    ) -> tuple[Body | None, list[Body]]:
        note: _Authorized | None = request.notes.get(self)
        if note is None or note.filtered is None:
            return data, []
        return self.authorizer.complete(
            data, note.filtered, request.variables, initial_payload=initial_payload
        )

    def operation_response(self, request: PreparedRequest, body: Body) -> Body:
        note: _Authorized | None = request.notes.get(self)
        errors = (note.unauthorized if note is not None else []) + request.removed
        if errors:
            return self.authorizer.reporting.report(body, errors)
        return body


class DemandControlPolicy(Plugin):
    """The static cost estimate against the budget, after authorization filtered the
    operation (Apollo's execution-stage check: what is removed is free)."""

    name = "demand-control"
    # a deferring operation is costed whole before its stream starts
    checks_before_streaming = True

    def __init__(self, estimator: CostEstimator) -> None:
        self.estimator = estimator

    async def prepared_request(self, request: PreparedRequest) -> None:
        prepared = request.prepared
        parsed = None  # the parse behind the plan: not parsed again for the estimate
        if prepared.operation is not None:
            parsed = (prepared.operation, prepared.fragments)
        cost, too_expensive = self.estimator.check(
            request.document, request.request.operation_name, request.variables, parsed
        )
        if too_expensive is not None:
            raise Respond({"errors": [too_expensive]}, True)
        request.notes[self] = cost

    def plan_extensions(self, request: PreparedRequest) -> Body | None:
        cost = request.notes.get(self)
        if cost is None:
            return None
        return {"cost": self.estimator.extension(cost)}


class Gateway(Pipeline):
    """The gateway with its built-in policies (every limit on unless turned off: README
    "Safe defaults"), then read-your-writes, then the operator's `plugins`."""

    def __init__(
        self,
        supergraph_sdl: str,
        *,
        subgraph_urls: Mapping[str, str] | None = None,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        forward_headers: tuple[str, ...] | list[str] = (),
        timeout: float = 30.0,
        plan_cache_size: int = DEFAULT_ENTRIES,
        plan_cache_bytes: int | None = DEFAULT_BYTES,
        authenticator: JwtAuthenticator | None = None,
        policy_evaluator: PolicyEvaluator | None = None,
        demand_control: DemandControl | None = DEFAULT_DEMAND_CONTROL,
        limits: OperationLimits | None = DEFAULT_LIMITS,
        document_limits: DocumentLimits | None = DEFAULT_DOCUMENT_LIMITS,
        deadline: float | None = DEFAULT_DEADLINE,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
        authorization_mode: AuthorizationMode = "filter",
        authorization_errors: ErrorReporting | None = None,
        subgraph_identity: IdentitySigner | None = None,
        trusted_documents: TrustedDocuments | None = None,
        override_labels: CustomLabels | None = None,
        override_random: random.Random | None = None,
        fetcher: Fetcher | None = None,
        plugins: Sequence[Plugin] = (),
    ) -> None:
        supergraph = load_supergraph(supergraph_sdl)
        # limits.py: checked in the cached preparation, so the verdict is cached with the
        # plan. None (or an `OperationLimits` with every field None) turns them off.
        self.limits = limits if limits is not None and limits.enabled else None
        # document_limits.py: in the preparation, before and while parsing, then before
        # validation; off, the document is still parsed by `DocumentParser`
        self.document_limits = document_limits
        self.repeatable = frozenset(
            d.name for d in supergraph.api_schema.directives if d.is_repeatable
        )
        # authentication.py, authorization/: None when not configured / not needed
        self.authenticator = authenticator
        self.authorizer = Authorizer.for_supergraph(
            supergraph_sdl,
            supergraph.api_schema,
            policy_evaluator,
            authorization_mode,
            authorization_errors,
        )
        # apq.py, or trusted_documents.py (which wraps it) when a manifest is loaded
        self.trusted_documents = trusted_documents
        self.persisted: PersistedQueries | TrustedDocuments = (
            trusted_documents if trusted_documents is not None else PersistedQueries()
        )
        # demand_control.py: None = no cost limit
        self._cost = (
            None
            if demand_control is None
            else CostEstimator(demand_control, supergraph_sdl, supergraph, plan_cache_size)
        )
        # read-your-writes tokens always on (consistency.py), then the operator's plugins
        self.extra_plugins = (ReadYourWrites.from_env(), *plugins)
        super().__init__(
            supergraph_sdl,
            supergraph=supergraph,
            subgraph_urls=subgraph_urls,
            transports=transports,
            forward_headers=forward_headers,
            timeout=timeout,
            plan_cache_size=plan_cache_size,
            plan_cache_bytes=plan_cache_bytes,
            deadline=deadline,
            max_response_bytes=max_response_bytes,
            subgraph_identity=subgraph_identity,
            override_labels=override_labels,
            override_random=override_random,
            fetcher=fetcher,
            plugins=self._chain(),
        )

    def _chain(self) -> list[Plugin]:
        """The plugin chain: the policies that are on, in the order they refuse."""
        chain: list[Plugin] = []
        if self.document_limits is not None:
            chain.append(DocumentLimitsPolicy(self.document_limits, self.repeatable))
        else:
            chain.append(DocumentParser(UNLIMITED_DOCUMENTS))
        if self.limits is not None:
            chain.append(OperationLimitsPolicy(self.limits))
        if self.authenticator is not None:
            chain.append(AuthenticationPolicy(self.authenticator))
        chain.append(DocumentsPolicy(self.persisted))
        if self.authorizer is not None:
            chain.append(AuthorizationPolicy(self.authorizer))
        if self._cost is not None:
            chain.append(DemandControlPolicy(self._cost))
        chain.extend(self.extra_plugins)
        return chain

    @property
    def cost_estimator(self) -> CostEstimator | None:
        return self._cost

    @cost_estimator.setter
    def cost_estimator(self, estimator: CostEstimator | None) -> None:
        """Enforce `estimator`'s budget from now on (None: no cost limit); a reload keeps
        its predecessor's estimator (and its caches) this way."""
        self._cost = estimator
        self.use_plugins(self._chain())

    def guarded_subscriptions(
        self, source: SubscriptionSource, *, identified: bool
    ) -> SubscriptionSource:
        """`source` (the gateway's subscriptions, WebSocket, SSE and multipart) behind the
        policies that apply when a subscription opens: authentication and authorization
        (`SubscriptionGuard`), then the document and operation limits, then the trusted
        documents. `identified`: the subscriber's claims are current while its stream is
        served (for the gateway identity token, `fetching/subgraph_identity.py`)."""
        if identified:
            source = IdentifiedSubscriptions(source, subscriber_claims(self.authenticator))
        if self.authenticator or self.authorizer:
            source = SubscriptionGuard(
                source, self.supergraph.api_schema, self.authenticator, self.authorizer
            )
        if (self.limits or self.document_limits) is not None:
            source = LimitedSubscriptions(
                source, self.limits, self.document_limits, self.repeatable
            )
        if self.trusted_documents is not None:
            source = TrustedSubscriptions(source, self.trusted_documents)
        return source

    def configure_demand_control(self, config: DemandControl | None) -> None:
        """Enforce a cost budget (`demand_control.py`) from now on; None turns it off."""
        self.cost_estimator = (
            None
            if config is None
            else CostEstimator(config, self.supergraph_sdl, self.supergraph, self.plan_cache_size)
        )


def subscriber_claims(authenticator: JwtAuthenticator | None) -> ClaimsOf | None:
    """The subscriber's verified claims for `IdentifiedSubscriptions`: None for a bad
    token (the `SubscriptionGuard` outside refuses those; never more than anonymous)."""
    if authenticator is None:
        return None

    async def claims_of(headers: Mapping[str, str]) -> Mapping[str, Any] | None:
        try:
            return (await authenticator.authenticate(headers)).claims
        except AuthenticationError:
            return None

    return claims_of

"""Plugins: Python code around the stages of a request, as Apollo Router's plugins are.

A request passes three stages, each with a request hook (in plugin order) and a response
hook (in reverse order, so the first plugin sees the request first and the response last):

- **router**: the HTTP request as it arrived (`RouterRequest`: the Starlette request),
  before anything is parsed. `router_request` may answer it itself (return a Response);
  `router_response` sees (and may replace) the HTTP response.
- **supergraph**: the GraphQL operation, parsed, validated, authorized and planned
  (`SupergraphRequest`: the decoded request, the operation AST, the plan, the caller's
  verified identity). `supergraph_request` may end the request with a GraphQL body (a
  refusal, a cached answer); `supergraph_response` may change the body.
- **subgraph**: each subgraph call of the plan (`SubgraphRequest`: service, URL, query,
  variables and the headers it will carry, which the hook may change).
  `subgraph_request` may answer instead of the subgraph (return its response body);
  `subgraph_response` may change what the subgraph answered.

All stages of one request share `context`, a dict (Router's context), also across the
subgraph calls. A hook that raises fails its request with `INTERNAL_SERVER_ERROR` (the
exception is logged, never sent).

Between the router and the supergraph stage, the **operation hooks** are where the
built-in policies plug in (`plugins/builtin.py` assembles them); a plugin may use them too.
The pipeline calls them at fixed points, each kind in chain order:

- `identify(request)` (async): who is asking (`Identity`), before the document is read;
  the first plugin answering one decides (authentication).
- `document(request)`: the text the request names (APQ, trusted documents): a `str`, a
  `DocumentError`, or None (no query); only the first plugin overriding it is asked.
- `parse(text)`, `check_document(document)`, `check_operation(operation, fragments,
  deferring)`: run once per document inside the cached preparation (so they must depend
  on the document alone): the first plugin overriding `parse` parses (document limits),
  the checks answer an error entry (or entries) that refuses the document, cached with it.
- `prepared_request(request)` (async): the `PreparedRequest` (identity, document, the
  cached preparation, coerced variables) before anything runs: may narrow the operation
  (`request.prepare(text)`: authorization's filter) or refuse it (demand control).
- `complete_data(request, data, initial_payload)`: the shaped data, before the response
  is assembled (and each `@defer` payload's): answers the data and the errors of what it
  removed (authorization's nulls).
- `operation_response(request, body)`: the assembled body, before the supergraph stage's
  response hooks; `plan_extensions(request)`: entries beside `extensions.queryPlan` when
  the client asked for the plan (`extensions.cost`).

An operation hook ends a request by raising `Respond(body, request_error, status)`; any
other exception propagates as the gateway's own failure would. A plugin that sets
`checks_before_streaming` has the request checked (up to `prepared_request`) before a
`@defer` stream starts, so a refusal is answered as a plain response. Only the plugins
that override a hook are called for it: a policy that is off is not in the chain, and a
stage without hooks costs nothing. The built-ins come first in the chain (document limits,
operation limits, authentication, documents, authorization, demand control, then
read-your-writes), so a plugin sees only requests the built-ins let through. The HTTP
policies (CORS, CSRF, rate limits, body limit) wrap the routes (`server/policies.py`); the
identity token is signed at the subgraph stage by the pipeline (`fetching/`).

`pos gateway --plugin package.module:Class` loads a plugin class (constructed without
arguments); `create_app(plugins=[...])` takes instances.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from graphql import DocumentNode, FragmentDefinitionNode, OperationDefinitionNode
    from starlette.requests import Request
    from starlette.responses import Response

    from ..gateway import GatewayRequest
    from ..planning.fields import PlannedOperation
    from ..planning.plan_cache import PreparedOperation

Body = dict[str, Any]


@dataclass(frozen=True)
class Identity:
    """Who is asking: `claims` of a verified token, or None for an anonymous request."""

    claims: Mapping[str, Any] | None = None

    @property
    def authenticated(self) -> bool:
        return self.claims is not None

    @property
    def scopes(self) -> frozenset[str]:
        """The OAuth2 `scope` claim (space-separated; a JSON list of strings is accepted)."""
        if self.claims is None:
            return frozenset()
        raw = self.claims.get("scope")
        if isinstance(raw, str):
            return frozenset(raw.split())
        if isinstance(raw, list):
            return frozenset(s for s in raw if isinstance(s, str))
        return frozenset()


ANONYMOUS = Identity()


class Respond(Exception):
    """Raised by an operation hook to end the request with `body`: a request error (no
    `data`) unless `request_error` is False, with `status` as the HTTP status hint."""

    def __init__(self, body: Body, request_error: bool = True, status: int | None = None):
        super().__init__(body)
        self.body = body
        self.request_error = request_error
        self.status = status


class DocumentError(Protocol):
    """What `Plugin.document` answers for a request whose document cannot be read."""

    @property
    def message(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def status(self) -> int: ...


@dataclass
class RouterRequest:
    request: Request
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class SupergraphRequest:
    request: GatewayRequest
    operation: OperationDefinitionNode | None
    plan: PlannedOperation
    identity: Identity
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class PreparedRequest:
    """The operation hooks' view of one request once its document is prepared."""

    request: GatewayRequest
    identity: Identity
    document: str  # the text that is planned and run (a hook may narrow it)
    prepared: PreparedOperation
    variables: dict[str, Any]  # coerced
    # prepare another text as this request's (same `@defer` variant and override labels)
    prepare: Callable[[str], PreparedOperation]
    # errors the hooks reported elsewhere than the response's `errors` (not repeated by
    # the `@defer` payloads), and the errors `complete_data` gave for removed fields
    reported: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    notes: dict[object, Any] = field(default_factory=dict)  # per plugin, keyed by it


@dataclass
class SubgraphRequest:
    service: str
    url: str
    query: str
    variables: Mapping[str, Any] | None
    operation_name: str | None
    headers: dict[str, str]
    context: dict[str, Any] = field(default_factory=dict)


class Plugin:
    """Override the hooks you need; every default passes the request on unchanged."""

    name = "plugin"

    async def router_request(self, request: RouterRequest) -> Response | None:
        return None

    async def router_response(self, request: RouterRequest, response: Response) -> Response:
        return response

    async def supergraph_request(self, request: SupergraphRequest) -> Body | None:
        return None

    async def supergraph_response(self, request: SupergraphRequest, body: Body) -> Body:
        return body

    async def subgraph_request(self, request: SubgraphRequest) -> Body | None:
        return None

    async def subgraph_response(self, request: SubgraphRequest, body: Body) -> Body:
        return body

    # ---- operation hooks (see the module docstring; the built-in policies use them) ----

    checks_before_streaming = False

    async def identify(self, request: GatewayRequest) -> Identity | None:
        return None

    def document(self, request: GatewayRequest) -> str | DocumentError | None:
        return request.query

    def parse(self, text: str) -> DocumentNode | Body:
        raise NotImplementedError

    def check_document(self, document: DocumentNode) -> Body | None:
        return None

    def check_operation(
        self,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        deferring: bool,
    ) -> tuple[Body, ...]:
        return ()

    async def prepared_request(self, request: PreparedRequest) -> None:
        return None

    def complete_data(
        self, request: PreparedRequest, data: Body | None, initial_payload: bool
    ) -> tuple[Body | None, list[Body]]:
        return data, []

    def operation_response(self, request: PreparedRequest, body: Body) -> Body:
        return body

    def plan_extensions(self, request: PreparedRequest) -> Body | None:
        return None


OPERATION_HOOKS = (
    "identify",
    "document",
    "parse",
    "check_document",
    "check_operation",
    "prepared_request",
    "complete_data",
    "operation_response",
    "plan_extensions",
)


def overriding(plugins: Sequence[object], hook: str) -> tuple[Any, ...]:
    """The plugins whose class overrides `hook` (or, not being a `Plugin`, defines it)."""
    base = getattr(Plugin, hook, None)
    return tuple(p for p in plugins if getattr(type(p), hook, base) is not base)


request_context: ContextVar[dict[str, Any] | None] = ContextVar("request_context", default=None)
"""The current request's plugin context: set at the router stage, or at the supergraph
stage for operations that arrive another way (WebSocket, batch entries)."""


class Plugins:
    """An ordered chain of plugins, run stage by stage. Each hook runs only the plugins
    that override it; `router`, `supergraph` and `subgraph` say whether a stage has any."""

    def __init__(self, plugins: Sequence[Plugin] = ()) -> None:
        self.replace(plugins)

    def replace(self, plugins: Sequence[Plugin]) -> None:
        """Use `plugins` from now on (a reconfigured policy), in place: the executor and
        the endpoint hold this object."""
        self.plugins = tuple(plugins)
        chain = self.plugins
        self._router_request = overriding(chain, "router_request")
        self._router_response = overriding(chain, "router_response")[::-1]
        self._supergraph_request = overriding(chain, "supergraph_request")
        self._supergraph_response = overriding(chain, "supergraph_response")[::-1]
        self._subgraph_request = overriding(chain, "subgraph_request")
        self._subgraph_response = overriding(chain, "subgraph_response")[::-1]
        self.router = bool(self._router_request or self._router_response)
        self.supergraph = bool(self._supergraph_request or self._supergraph_response)
        self.subgraph = bool(self._subgraph_request or self._subgraph_response)
        self.operation = {hook: overriding(chain, hook) for hook in OPERATION_HOOKS}

    def __bool__(self) -> bool:
        return bool(self.plugins)

    async def router_request(self, request: RouterRequest) -> Response | None:
        for plugin in self._router_request:
            answer = await plugin.router_request(request)
            if answer is not None:
                return answer
        return None

    async def router_response(self, request: RouterRequest, response: Response) -> Response:
        for plugin in self._router_response:
            response = await plugin.router_response(request, response)
        return response

    async def supergraph_request(self, request: SupergraphRequest) -> Body | None:
        for plugin in self._supergraph_request:
            answer = await plugin.supergraph_request(request)
            if answer is not None:
                return answer
        return None

    async def supergraph_response(self, request: SupergraphRequest, body: Body) -> Body:
        for plugin in self._supergraph_response:
            body = await plugin.supergraph_response(request, body)
        return body

    async def subgraph_request(self, request: SubgraphRequest) -> Body | None:
        for plugin in self._subgraph_request:
            answer = await plugin.subgraph_request(request)
            if answer is not None:
                return answer
        return None

    async def subgraph_response(self, request: SubgraphRequest, body: Body) -> Body:
        for plugin in self._subgraph_response:
            body = await plugin.subgraph_response(request, body)
        return body


def load_plugin(spec: str) -> Plugin:
    """`package.module:Class` -> an instance (the class takes no arguments)."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"plugin {spec!r}: expected package.module:Class")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise ValueError(f"plugin {spec!r}: cannot import {module_name}: {e}") from e
    cls = getattr(module, attribute, None)
    if cls is None:
        raise ValueError(f"plugin {spec!r}: {module_name} has no {attribute}")
    if not (isinstance(cls, type) and issubclass(cls, Plugin)):
        raise ValueError(f"plugin {spec!r}: {attribute} is not a supergraph.runtime Plugin")
    plugin = cls()
    if not isinstance(plugin, Plugin):
        raise ValueError(f"plugin {spec!r}: {attribute} is not a supergraph.runtime Plugin")
    return plugin

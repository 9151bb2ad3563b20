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
exception is logged, never sent). The built-in policies sit beside this API with the same
shape: the HTTP policies (CORS, CSRF, rate limits, body limit) at the router stage;
authentication, authorization, limits, demand control and trusted documents at the
supergraph stage; the identity token at the subgraph stage. Plugins run after them, so a
plugin sees only requests the built-ins let through.

`pos gateway --plugin package.module:Class` loads a plugin class (constructed without
arguments); `create_app(plugins=[...])` takes instances.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphql import OperationDefinitionNode
    from starlette.requests import Request
    from starlette.responses import Response

    from ..gateway import GatewayRequest
    from ..planning.fields import PlannedOperation
    from .authentication import Identity

Body = dict[str, Any]


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


request_context: ContextVar[dict[str, Any] | None] = ContextVar("request_context", default=None)
"""The current request's plugin context: set at the router stage, or at the supergraph
stage for operations that arrive another way (WebSocket, batch entries)."""


class Plugins:
    """An ordered chain of plugins, run stage by stage."""

    def __init__(self, plugins: Sequence[Plugin] = ()) -> None:
        self.plugins = tuple(plugins)

    def __bool__(self) -> bool:
        return bool(self.plugins)

    async def router_request(self, request: RouterRequest) -> Response | None:
        for plugin in self.plugins:
            answer = await plugin.router_request(request)
            if answer is not None:
                return answer
        return None

    async def router_response(self, request: RouterRequest, response: Response) -> Response:
        for plugin in reversed(self.plugins):
            response = await plugin.router_response(request, response)
        return response

    async def supergraph_request(self, request: SupergraphRequest) -> Body | None:
        for plugin in self.plugins:
            answer = await plugin.supergraph_request(request)
            if answer is not None:
                return answer
        return None

    async def supergraph_response(self, request: SupergraphRequest, body: Body) -> Body:
        for plugin in reversed(self.plugins):
            body = await plugin.supergraph_response(request, body)
        return body

    async def subgraph_request(self, request: SubgraphRequest) -> Body | None:
        for plugin in self.plugins:
            answer = await plugin.subgraph_request(request)
            if answer is not None:
                return answer
        return None

    async def subgraph_response(self, request: SubgraphRequest, body: Body) -> Body:
        for plugin in reversed(self.plugins):
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

"""Federation gateway runtime: serve any Apollo-composed supergraph over GraphQL-over-HTTP."""

from .gateway import GatewayRequest, GatewayResponse, Pipeline
from .planning.plan import Condition, Fetch, Flatten, Parallel, QueryPlan, Sequence
from .plugins.builtin import Gateway
from .server.app import create_app
from .supergraph_schema import Supergraph, SupergraphError, load_supergraph

__all__ = [
    "Condition",
    "Fetch",
    "Flatten",
    "Gateway",
    "GatewayRequest",
    "GatewayResponse",
    "Parallel",
    "Pipeline",
    "QueryPlan",
    "Sequence",
    "Supergraph",
    "SupergraphError",
    "create_app",
    "load_supergraph",
]

"""Federation gateway runtime: serve any Apollo-composed supergraph over GraphQL-over-HTTP."""

from .gateway import Gateway, GatewayRequest, GatewayResponse
from .planning.plan import Condition, Fetch, Flatten, Parallel, QueryPlan, Sequence
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
    "QueryPlan",
    "Sequence",
    "Supergraph",
    "SupergraphError",
    "create_app",
    "load_supergraph",
]

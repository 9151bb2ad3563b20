"""The stores subgraph's GraphQL schema, its runtime and the caller checks."""

from subgraphs.stores.graphql.caller import MANAGE, require_caller, require_scope
from subgraphs.stores.graphql.runtime import StoresRuntime
from subgraphs.stores.graphql.schema import schema

__all__ = ["MANAGE", "StoresRuntime", "require_caller", "require_scope", "schema"]

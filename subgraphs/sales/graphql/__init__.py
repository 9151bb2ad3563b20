"""The sales subgraph's GraphQL schema, its runtime and the caller checks."""

from subgraphs.sales.graphql.runtime import SalesRuntime
from subgraphs.sales.graphql.schema import schema

__all__ = ["SalesRuntime", "schema"]

"""The catalog subgraph's GraphQL schema and its runtime."""

from subgraphs.catalog.graphql.runtime import CatalogRuntime
from subgraphs.catalog.graphql.schema import schema

__all__ = ["CatalogRuntime", "schema"]

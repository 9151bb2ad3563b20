"""The inventory subgraph's GraphQL schema and its runtime."""

from subgraphs.inventory.graphql.runtime import InventoryRuntime
from subgraphs.inventory.graphql.schema import schema

__all__ = ["InventoryRuntime", "schema"]

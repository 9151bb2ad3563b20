"""The catalog bounded context: categories and products (Strawberry subgraph)."""

from subgraphs.catalog.context import CATALOG, CatalogContext

__all__ = ["CATALOG", "CatalogContext"]

"""Merge normalised subgraphs into a `Supergraph`, split by GraphQL kind (as Apollo's merger)."""

from .merger import Merger
from .state import graph_enum_values

__all__ = ["Merger", "graph_enum_values"]

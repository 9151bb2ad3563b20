"""The ordering bounded context (a Strawberry subgraph) and its side of the saga."""

from subgraphs.ordering.context import OrderingContext, context

__all__ = ["OrderingContext", "context"]

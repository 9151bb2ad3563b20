"""The customers bounded context (an Ariadne subgraph)."""

from subgraphs.customers.context import CustomersContext, context

__all__ = ["CustomersContext", "context"]

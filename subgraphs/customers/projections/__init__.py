"""Customers read side: the searchable customer list."""

from subgraphs.customers.projections.customer_list import CustomerListProjection, evolve
from subgraphs.customers.projections.documents import AddressView, CustomerView

__all__ = ["AddressView", "CustomerListProjection", "CustomerView", "evolve"]

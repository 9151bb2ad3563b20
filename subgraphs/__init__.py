"""The bounded contexts, by name: what `pos serve <context>` and the embedded host start.

One entry per context (a `subgraphs.hosting.ContextModule`); add yours at the end.
"""

from subgraphs.catalog import CATALOG
from subgraphs.customers import context as customers_context
from subgraphs.hosting.context import ContextModule
from subgraphs.inventory import INVENTORY
from subgraphs.ordering import context as ordering_context
from subgraphs.reporting import context as reporting_context
from subgraphs.sales.context import SALES
from subgraphs.staff import STAFF
from subgraphs.stores import STORES

CONTEXTS: dict[str, ContextModule] = {
    "catalog": CATALOG,
    "inventory": INVENTORY,
    # H7
    "customers": customers_context,
    "ordering": ordering_context,
    "reporting": reporting_context,
    "staff": STAFF,
    "stores": STORES,
    "sales": SALES,
}

__all__ = ["CONTEXTS"]

"""The stores bounded context: stores (locations), their registers, and tax regions
(Strawberry subgraph).

For hosts: `STORES` (the ContextModule) and `seed_demo_stores` for the demo data.
"""

from subgraphs.stores.application import (
    DEMO_REGIONS,
    DEMO_STORES,
    StoresHandlers,
    seed_demo_stores,
)
from subgraphs.stores.context import STORES, StoresContext

__all__ = [
    "DEMO_REGIONS",
    "DEMO_STORES",
    "STORES",
    "StoresContext",
    "StoresHandlers",
    "seed_demo_stores",
]

"""Stores application layer: commands, their handlers, the demo stores."""

from subgraphs.stores.application.commands import (
    AddRegister,
    AddressInput,
    CloseStore,
    DeactivateRegister,
    DefineTaxRegion,
    OpenStore,
    SetTaxRate,
    UpdateStore,
)
from subgraphs.stores.application.demo import (
    DEMO_REGIONS,
    DEMO_STORES,
    DemoRegion,
    DemoStore,
    demo_register_id,
    demo_store_id,
    seed_demo_stores,
)
from subgraphs.stores.application.handlers import StoresHandlers
from subgraphs.stores.application.ports import Clock, utcnow

__all__ = [
    "DEMO_REGIONS",
    "DEMO_STORES",
    "AddRegister",
    "AddressInput",
    "Clock",
    "CloseStore",
    "DeactivateRegister",
    "DefineTaxRegion",
    "DemoRegion",
    "DemoStore",
    "OpenStore",
    "SetTaxRate",
    "StoresHandlers",
    "UpdateStore",
    "demo_register_id",
    "demo_store_id",
    "seed_demo_stores",
    "utcnow",
]

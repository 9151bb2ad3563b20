"""Stores read side: stores, registers, tax regions, and the projection that keeps them."""

from subgraphs.stores.projections.documents import RegisterView, StoreView, TaxRegionView
from subgraphs.stores.projections.stores_view import (
    StoresView,
    evolve,
    register_fold,
    store_fold,
)

DOCUMENTS = (StoreView, RegisterView, TaxRegionView)

__all__ = [
    "DOCUMENTS",
    "RegisterView",
    "StoreView",
    "StoresView",
    "TaxRegionView",
    "evolve",
    "register_fold",
    "store_fold",
]

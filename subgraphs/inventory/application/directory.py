"""The ports through which inventory asks "does the catalog have this product?" and
"is there such a store?".

Answered from inventory's own projections of `pos.catalog` and `pos.stores` events (never
a call to those contexts), so inventory keeps working while they are down.
"""

from __future__ import annotations

from typing import Protocol


class ProductDirectory(Protocol):
    async def exists(self, product_id: str) -> bool: ...


class LocationDirectory(Protocol):
    async def exists(self, location_id: str) -> bool:
        """MAIN always; a store once its StoreOpened was seen (closed or not)."""
        ...

    async def is_open(self, location_id: str) -> bool: ...

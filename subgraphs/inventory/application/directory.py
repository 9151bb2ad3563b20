"""The port through which inventory asks "does the catalog have this product?".

Answered from inventory's own projection of `pos.catalog` events (never a call to the
catalog), so inventory keeps working while the catalog is down.
"""

from __future__ import annotations

from typing import Protocol


class ProductDirectory(Protocol):
    async def exists(self, product_id: str) -> bool: ...

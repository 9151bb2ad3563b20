"""Test doubles for the inventory tests."""

from __future__ import annotations


class FixedDirectory:
    """A `ProductDirectory` that knows exactly the products it was given."""

    def __init__(self, *product_ids: str) -> None:
        self.known = set(product_ids)

    async def exists(self, product_id: str) -> bool:
        return product_id in self.known

"""The inventory bounded context: stock items and the order saga's reservations."""

from subgraphs.inventory.context import INVENTORY, InventoryContext

__all__ = ["INVENTORY", "InventoryContext"]

"""Where stock is: the warehouse "MAIN" (customer orders reserve from it) or a store.

A store is named by its id in the stores context (a UUID); inventory learns which stores
exist from `pos.stores` events, never by calling that context.
"""

from __future__ import annotations

from uuid import UUID

from eventbus import DomainError

MAIN = "MAIN"


def parse_location(value: str | None, field: str = "locationId") -> str:
    """None or "MAIN" (any case): the warehouse; otherwise a store id (a UUID)."""
    if value is None or value.strip().upper() == MAIN:
        return MAIN
    try:
        return str(UUID(value.strip()))
    except ValueError:
        raise DomainError(
            f"{field} {value[:60]!r} is neither MAIN (the warehouse) nor a store id (a UUID)",
            field=field,
        ) from None

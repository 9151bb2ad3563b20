"""What placing an order needs to know, as ports (ordering's own projections implement
them: prices and customers come from events, never from a synchronous call)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from subgraphs.ordering.domain import PricedProduct, ShippingAddress


@dataclass(frozen=True, slots=True)
class KnownCustomerRef:
    customer_id: str
    name: str
    address: ShippingAddress | None


class PriceList(Protocol):
    async def products(self, product_ids: Sequence[str]) -> dict[str, PricedProduct]: ...


class CustomerDirectory(Protocol):
    async def customer(self, customer_id: str) -> KnownCustomerRef | None: ...

"""A store code as its own stream: the guard that keeps store codes unique (as staff's
username claim and catalog's sku claim do).

Opening a store appends to the stream named after the case-folded code in the same unit
of work as the store; two openings of one code both expect version 0 and the store lets
one win; the loser's retry sees the claim and is refused. A closed store keeps its code:
receipts and reports name stores by code, so a code never comes back.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import NAMESPACE_URL, uuid5

from eventbus import Aggregate, DomainError, DomainEvent
from subgraphs.stores.domain.events import StoreCodeClaimed

_NAMESPACE = uuid5(NAMESPACE_URL, "pos:stores:store-codes")


def store_code_claim_id(code: str) -> str:
    """The guard stream of a store code: the same code (any case) maps to one stream."""
    return str(uuid5(_NAMESPACE, code.strip().casefold()))


class StoreCodeClaim(Aggregate):
    context: ClassVar[str] = "stores"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.owner_id: str | None = None

    @classmethod
    def blank(cls, code: str) -> StoreCodeClaim:
        return cls(store_code_claim_id(code))

    def claim(self, code: str, store_id: str) -> None:
        if self.owner_id is not None and self.owner_id != store_id:
            raise DomainError(
                f"store code {code!r} is already used by another store; choose another",
                field="code",
                owner=self.owner_id,
            )
        if self.owner_id is None:
            self._record(StoreCodeClaimed(code=code, store_id=store_id))

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, StoreCodeClaimed):
            self.owner_id = event.store_id

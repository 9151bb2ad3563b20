"""A unique name as its own stream: the guard that keeps skus, barcodes and category
names unique.

Claiming appends the first event of the stream named after the value. Two commands that
claim the same value at the same moment both expect version 0, and the store lets only
one win; the loser retries, sees the claim, and reports a conflict. Because the claim is
appended in the same unit of work as the product, there is never a product without its
claim, nor a claim without its product. A barcode can be given up (`release`): the
stream then records `NameReleased`, and the next claim appends to it again.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import NAMESPACE_URL, uuid5

from eventbus import Aggregate, Conflict, DomainEvent
from subgraphs.catalog.domain.events import NameClaimed, NameReleased

_NAMESPACE = uuid5(NAMESPACE_URL, "pos:catalog:claims")


def claim_id(kind: str, value: str) -> str:
    """The stream id of a claim: the same value always maps to the same stream."""
    return str(uuid5(_NAMESPACE, f"{kind}:{value.casefold()}"))


class NameClaim(Aggregate):
    context: ClassVar[str] = "catalog"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.owner_id: str | None = None
        self.kind = ""
        self.value = ""

    @classmethod
    def blank(cls, kind: str, value: str) -> NameClaim:
        return cls(claim_id(kind, value))

    def claim(self, kind: str, value: str, owner_id: str, label: str) -> None:
        if self.owner_id is not None and self.owner_id != owner_id:
            raise Conflict(
                f"{label} {value!r} is already used by {self.owner_id}; choose another",
                field=kind,
                owner=self.owner_id,
            )
        if self.owner_id is None:
            self._record(NameClaimed(kind=kind, value=value, owner_id=owner_id))

    def release(self, owner_id: str) -> None:
        """Give the value up; nothing happens unless `owner_id` holds it."""
        if self.owner_id == owner_id:
            self._record(NameReleased(kind=self.kind, value=self.value, owner_id=owner_id))

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, NameClaimed):
            self.owner_id = event.owner_id
            self.kind = event.kind
            self.value = event.value
        elif isinstance(event, NameReleased):
            self.owner_id = None

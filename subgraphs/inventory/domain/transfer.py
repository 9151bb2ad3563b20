"""The Transfer aggregate: goods sent from one location to another, and what arrived.

Sending books the goods out of the source (in the same unit of work as the transfer's
`TransferSent`); receiving books what arrived into the destination and records, per
line, sent vs received. Until received, the goods are in transit: at no location, but
on the transfer.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from eventbus import Aggregate, Conflict, DomainError, DomainEvent
from subgraphs.inventory.domain.events import (
    LineQuantity,
    TransferLine,
    TransferReceived,
    TransferSent,
)

MAX_LINES = 500


class TransferStatus(StrEnum):
    NONE = "NONE"
    IN_TRANSIT = "IN_TRANSIT"
    RECEIVED = "RECEIVED"


def _merge(lines: list[LineQuantity], field: str) -> list[LineQuantity]:
    seen: set[str] = set()
    for line in lines:
        if line.product_id in seen:
            raise DomainError(
                f"{field} name product {line.product_id} twice: one line per product",
                field=field,
            )
        seen.add(line.product_id)
    return lines


class Transfer(Aggregate):
    context: ClassVar[str] = "inventory"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.status = TransferStatus.NONE
        self.from_location = ""
        self.to_location = ""
        self.lines: list[LineQuantity] = []
        self.received: list[TransferLine] = []

    @property
    def in_transit(self) -> dict[str, int]:
        """Units on the way, per product (none once received)."""
        if self.status != TransferStatus.IN_TRANSIT:
            return {}
        return {line.product_id: line.quantity for line in self.lines}

    def send(self, from_location: str, to_location: str, lines: list[LineQuantity]) -> None:
        if self.status != TransferStatus.NONE:
            raise Conflict(f"transfer {self.id} was already sent", field="transferId")
        if from_location == to_location:
            raise DomainError(
                f"a transfer goes between two locations, but from and to are both {from_location}",
                field="to",
            )
        if not lines:
            raise DomainError("a transfer needs at least one line", field="lines")
        if len(lines) > MAX_LINES:
            raise DomainError(f"a transfer has at most {MAX_LINES} lines", field="lines")
        for line in lines:
            if line.quantity <= 0:
                raise DomainError(
                    f"quantity of product {line.product_id} must be greater than 0, "
                    f"got {line.quantity}",
                    field="lines",
                )
        self._record(
            TransferSent(
                transfer_id=self.id,
                from_location=from_location,
                to_location=to_location,
                lines=_merge(lines, "lines"),
            )
        )

    def receive(self, received: list[LineQuantity]) -> list[TransferLine]:
        """What arrived, per product; a product sent but not listed arrived 0 times.
        Returns the lines with their differences."""
        if self.status == TransferStatus.NONE:
            raise Conflict(f"transfer {self.id} was never sent", field="transferId")
        if self.status == TransferStatus.RECEIVED:
            raise Conflict(f"transfer {self.id} was already received", field="transferId")
        got = {line.product_id: line.quantity for line in _merge(received, "receivedLines")}
        sent = {line.product_id: line.quantity for line in self.lines}
        for product_id, quantity in got.items():
            if product_id not in sent:
                raise DomainError(
                    f"product {product_id} was not sent on transfer {self.id}: receive it "
                    "as a delivery (receiveStock) instead",
                    field="receivedLines",
                )
            if quantity < 0:
                raise DomainError(
                    f"received quantity of product {product_id} must not be negative, "
                    f"got {quantity}",
                    field="receivedLines",
                )
        lines = [
            TransferLine(
                product_id=product_id,
                sent=quantity,
                received=got.get(product_id, 0),
                difference=got.get(product_id, 0) - quantity,
            )
            for product_id, quantity in sent.items()
        ]
        self._record(
            TransferReceived(
                transfer_id=self.id,
                from_location=self.from_location,
                to_location=self.to_location,
                lines=lines,
            )
        )
        return lines

    def apply(self, event: DomainEvent) -> None:
        match event:
            case TransferSent():
                self.status = TransferStatus.IN_TRANSIT
                self.from_location = event.from_location
                self.to_location = event.to_location
                self.lines = list(event.lines)
            case TransferReceived():
                self.status = TransferStatus.RECEIVED
                self.received = list(event.lines)

"""Typed commands of the inventory (the saga's commands come from ordering's events)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReceiveStock:
    product_id: str
    quantity: int
    receipt: str
    location_id: str | None = None
    """None: MAIN (the warehouse); else a store id."""


@dataclass(frozen=True)
class AdjustStock:
    product_id: str
    change: int
    reason: str
    location_id: str | None = None


@dataclass(frozen=True)
class OrderLine:
    product_id: str
    quantity: int


@dataclass(frozen=True)
class ReserveOrder:
    order_id: str
    lines: tuple[OrderLine, ...]
    correlation_id: str | None = None
    causation_id: str | None = None


@dataclass(frozen=True)
class ReleaseOrder:
    order_id: str
    correlation_id: str | None = None
    causation_id: str | None = None


@dataclass(frozen=True)
class CommitOrder:
    order_id: str
    correlation_id: str | None = None
    causation_id: str | None = None


@dataclass(frozen=True)
class SendTransfer:
    from_location: str
    to_location: str
    lines: tuple[OrderLine, ...]
    transfer_id: str | None = None
    """Optional client-chosen UUID: a retried send is refused, never sent twice."""


@dataclass(frozen=True)
class ReceiveTransfer:
    transfer_id: str
    received_lines: tuple[OrderLine, ...]


@dataclass(frozen=True)
class CountedLine:
    product_id: str
    counted: int


@dataclass(frozen=True)
class RecordStockCount:
    location_id: str
    lines: tuple[CountedLine, ...]
    count_id: str | None = None


@dataclass(frozen=True)
class ApplyStoreMovement:
    """From the sales context's events: a sale (take out) or a restocking return."""

    kind: str
    document_id: str
    store_id: str
    lines: tuple[OrderLine, ...]
    correlation_id: str | None = None
    causation_id: str | None = None

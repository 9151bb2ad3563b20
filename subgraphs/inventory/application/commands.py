"""Typed commands of the inventory (the saga's commands come from ordering's events)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReceiveStock:
    product_id: str
    quantity: int
    receipt: str


@dataclass(frozen=True)
class AdjustStock:
    product_id: str
    change: int
    reason: str


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

"""The StockItem aggregate: units of one product in one location (warehouse or store).

Invariant: reserved <= on_hand, and 0 <= reserved; a reservation is only ever made
against units that exist, and each order holds at most one reservation per stock item.
Only sales at a register can take `on_hand` below 0 (the goods were in the customer's
hands, whatever the books said): such a level is never clamped, it `needs_count`.
Receipts, adjustments, transfers out and counts keep the level at 0 or above.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import NAMESPACE_URL, uuid5

from eventbus import Aggregate, Conflict, DomainError, DomainEvent
from subgraphs.inventory.domain.events import (
    STOCK_ITEM_EVENTS,
    StockAdjusted,
    StockCounted,
    StockItemCommitted,
    StockItemReleased,
    StockItemReserved,
    StockReceived,
    StockReturned,
    StockSold,
    StockTransferredIn,
    StockTransferredOut,
)
from subgraphs.inventory.domain.location import MAIN

DEFAULT_WAREHOUSE = MAIN
MAX_QUANTITY = 1_000_000
TEXT_MAX = 200
_NAMESPACE = uuid5(NAMESPACE_URL, "pos:inventory:stock-items")


def stock_item_id(product_id: str, warehouse: str = DEFAULT_WAREHOUSE) -> str:
    """The stream id of a product's stock in a warehouse (derived: no lookup needed)."""
    return str(uuid5(_NAMESPACE, f"{product_id}:{warehouse}"))


def _count(value: int, field: str) -> int:
    if value < 0:
        raise DomainError(f"{field} must not be negative, got {value}", field=field)
    if value > MAX_QUANTITY:
        raise DomainError(f"{field} must be at most {MAX_QUANTITY}, got {value}", field=field)
    return value


def _quantity(value: int, field: str) -> int:
    if value <= 0:
        raise DomainError(f"{field} must be greater than 0, got {value}", field=field)
    if value > MAX_QUANTITY:
        raise DomainError(f"{field} must be at most {MAX_QUANTITY}, got {value}", field=field)
    return value


def _text(value: str, field: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise DomainError(f"{field} must not be empty", field=field)
    if len(text) > TEXT_MAX:
        raise DomainError(f"{field} must be at most {TEXT_MAX} characters", field=field)
    return text


class StockItem(Aggregate):
    context: ClassVar[str] = "inventory"
    snapshot_every: ClassVar[int] = 100  # movements between snapshots (repositories use it)

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.product_id = ""
        self.warehouse = DEFAULT_WAREHOUSE
        self.on_hand = 0
        self.reserved = 0
        self.reservations: dict[str, int] = {}
        self.receipts: set[str] = set()

    @classmethod
    def for_product(cls, product_id: str, warehouse: str = DEFAULT_WAREHOUSE) -> StockItem:
        item = cls(stock_item_id(product_id, warehouse))
        item.product_id = product_id
        item.warehouse = warehouse
        return item

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def needs_count(self) -> bool:
        """The books are below zero: someone should count the shelf."""
        return self.on_hand < 0

    def receive(self, quantity: int, receipt: str) -> None:
        quantity = _quantity(quantity, "quantity")
        receipt = _text(receipt, "receipt")
        if receipt in self.receipts:
            raise Conflict(
                f"receipt {receipt!r} was already recorded for this product; "
                "use a new receipt reference for a new delivery",
                field="receipt",
            )
        if self.on_hand + quantity > MAX_QUANTITY:
            raise DomainError(f"on hand would exceed {MAX_QUANTITY} units", field="quantity")
        self._record(
            StockReceived(
                product_id=self.product_id,
                warehouse=self.warehouse,
                quantity=quantity,
                receipt=receipt,
                on_hand=self.on_hand + quantity,
                reserved=self.reserved,
            )
        )

    def adjust(self, change: int, reason: str) -> None:
        """Correct the count (breakage, stocktake); reserved units cannot be removed."""
        reason = _text(reason, "reason")
        if change == 0:
            raise DomainError("change must not be 0", field="change")
        if abs(change) > MAX_QUANTITY or self.on_hand + change > MAX_QUANTITY:
            raise DomainError(f"change is out of range (max {MAX_QUANTITY})", field="change")
        if change < 0 and self.on_hand + change < self.reserved:
            raise Conflict(
                f"cannot remove {-change} units: only {self.available} are available "
                f"(on hand {self.on_hand}, reserved {self.reserved})",
                field="change",
                available=self.available,
            )
        self._record(
            StockAdjusted(
                product_id=self.product_id,
                warehouse=self.warehouse,
                change=change,
                reason=reason,
                on_hand=self.on_hand + change,
                reserved=self.reserved,
            )
        )

    def sell(self, sale_id: str, quantity: int) -> None:
        """Goods left with a customer at a register: never refused for lack of stock."""
        quantity = _quantity(quantity, "quantity")
        self._record(
            StockSold(
                product_id=self.product_id,
                warehouse=self.warehouse,
                sale_id=sale_id,
                quantity=quantity,
                on_hand=self.on_hand - quantity,
                reserved=self.reserved,
            )
        )

    def restock(self, return_id: str, quantity: int) -> None:
        """Returned goods back on the shelf."""
        quantity = _quantity(quantity, "quantity")
        self._record(
            StockReturned(
                product_id=self.product_id,
                warehouse=self.warehouse,
                return_id=return_id,
                quantity=quantity,
                on_hand=self.on_hand + quantity,
                reserved=self.reserved,
            )
        )

    def transfer_out(self, transfer_id: str, to_location: str, quantity: int) -> None:
        """Booked out to another location; only what is available can leave."""
        quantity = _quantity(quantity, "quantity")
        if quantity > self.available:
            raise Conflict(
                f"cannot send {quantity} units of product {self.product_id} from "
                f"{self.warehouse}: only {max(self.available, 0)} are available",
                field="lines",
                product=self.product_id,
                available=self.available,
            )
        self._record(
            StockTransferredOut(
                product_id=self.product_id,
                warehouse=self.warehouse,
                transfer_id=transfer_id,
                to_location=to_location,
                quantity=quantity,
                on_hand=self.on_hand - quantity,
                reserved=self.reserved,
            )
        )

    def transfer_in(self, transfer_id: str, from_location: str, quantity: int) -> None:
        quantity = _quantity(quantity, "quantity")
        if self.on_hand + quantity > MAX_QUANTITY:
            raise DomainError(f"on hand would exceed {MAX_QUANTITY} units", field="lines")
        self._record(
            StockTransferredIn(
                product_id=self.product_id,
                warehouse=self.warehouse,
                transfer_id=transfer_id,
                from_location=from_location,
                quantity=quantity,
                on_hand=self.on_hand + quantity,
                reserved=self.reserved,
            )
        )

    def count(self, count_id: str, counted: int) -> int:
        """The shelf holds `counted` units: record the variance (if any) as the
        adjustment; returns it. Units reserved for orders must still be there."""
        counted = _count(counted, "counted")
        if counted < self.reserved:
            raise Conflict(
                f"counted {counted} units of product {self.product_id}, but {self.reserved} "
                "are reserved for customer orders: recount, or cancel orders first",
                field="lines",
                product=self.product_id,
                reserved=self.reserved,
            )
        change = counted - self.on_hand
        if change:
            self._record(
                StockCounted(
                    product_id=self.product_id,
                    warehouse=self.warehouse,
                    count_id=count_id,
                    counted=counted,
                    change=change,
                    on_hand=counted,
                    reserved=self.reserved,
                )
            )
        return change

    def can_reserve(self, quantity: int) -> bool:
        return 0 < quantity <= self.available

    def reserve(self, order_id: str, quantity: int) -> None:
        if order_id in self.reservations:
            raise Conflict(f"order {order_id} already holds a reservation", field="orderId")
        if not self.can_reserve(quantity):
            raise Conflict(
                f"cannot reserve {quantity}: only {self.available} available",
                field="quantity",
                available=self.available,
            )
        self._record(
            StockItemReserved(
                product_id=self.product_id,
                warehouse=self.warehouse,
                order_id=order_id,
                quantity=quantity,
                on_hand=self.on_hand,
                reserved=self.reserved + quantity,
            )
        )

    def release(self, order_id: str) -> None:
        """Give the order's units back; nothing happens if it holds none."""
        quantity = self.reservations.get(order_id)
        if quantity is None:
            return
        self._record(
            StockItemReleased(
                product_id=self.product_id,
                warehouse=self.warehouse,
                order_id=order_id,
                quantity=quantity,
                on_hand=self.on_hand,
                reserved=self.reserved - quantity,
            )
        )

    def commit(self, order_id: str) -> None:
        """The order shipped: its reserved units leave stock; no-op if it holds none."""
        quantity = self.reservations.get(order_id)
        if quantity is None:
            return
        self._record(
            StockItemCommitted(
                product_id=self.product_id,
                warehouse=self.warehouse,
                order_id=order_id,
                quantity=quantity,
                on_hand=self.on_hand - quantity,
                reserved=self.reserved - quantity,
            )
        )

    def apply(self, event: DomainEvent) -> None:
        if not isinstance(event, STOCK_ITEM_EVENTS):
            return
        self.product_id = event.product_id
        self.warehouse = event.warehouse
        self.on_hand = event.on_hand
        self.reserved = event.reserved
        if isinstance(event, StockReceived):
            self.receipts.add(event.receipt)
        elif isinstance(event, StockItemReserved):
            self.reservations[event.order_id] = event.quantity
        elif isinstance(event, StockItemReleased | StockItemCommitted):
            self.reservations.pop(event.order_id, None)

    def snapshot_state(self) -> dict[str, Any]:
        """A product's stock at one location changes with every sale of it, for as long
        as it is sold: loading it must not replay them all."""
        return {
            "productId": self.product_id,
            "warehouse": self.warehouse,
            "onHand": self.on_hand,
            "reserved": self.reserved,
            "reservations": dict(self.reservations),
            "receipts": sorted(self.receipts),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        self.product_id = state["productId"]
        self.warehouse = state["warehouse"]
        self.on_hand = state["onHand"]
        self.reserved = state["reserved"]
        self.reservations = dict(state["reservations"])
        self.receipts = set(state["receipts"])

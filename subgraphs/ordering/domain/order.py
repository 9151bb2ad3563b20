"""The Order aggregate and its lifecycle.

PENDING -> CONFIRMED -> PAID -> SHIPPED; PENDING -> REJECTED (inventory said no);
PENDING/CONFIRMED/PAID -> CANCELLED. Every other move raises `Conflict`, so an order only
travels along legal transitions whatever the order of commands and saga replies. Each
event names the order's customer and the status it moves to (see `events`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from eventbus import Aggregate, Conflict, DomainError, DomainEvent
from subgraphs.ordering.domain.events import (
    AddressData,
    LineData,
    LineQuantity,
    OrderCancelled,
    OrderConfirmed,
    OrderPaid,
    OrderPlaced,
    OrderRefunded,
    OrderRejected,
    OrderShipped,
    RejectionReason,
)
from subgraphs.ordering.domain.values import (
    CENT,
    MAX_LINES,
    MAX_QUANTITY,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PricedProduct,
    ShippingAddress,
    parse_amount,
)

CANCELLABLE = frozenset({OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.PAID})
REASON_MAX = 500


def merge_quantities(requested: Sequence[tuple[str, int]]) -> dict[str, int]:
    """Quantities per product, repeated products merged: the checks that need no product
    data (an empty order, a bad quantity, too many units or lines)."""
    if not requested:
        raise DomainError("an order needs at least one line", field="lines")
    quantities: dict[str, int] = {}
    for index, (product_id, quantity) in enumerate(requested):
        if quantity <= 0:
            raise DomainError(
                f"lines[{index}].quantity must be positive, got {quantity}",
                field=f"lines[{index}].quantity",
            )
        quantities[product_id] = quantities.get(product_id, 0) + quantity
        if quantities[product_id] > MAX_QUANTITY:
            raise DomainError(
                f"lines[{index}].quantity: at most {MAX_QUANTITY} units of one product per order",
                field=f"lines[{index}].quantity",
            )
    if len(quantities) > MAX_LINES:
        raise DomainError(f"an order has at most {MAX_LINES} lines", field="lines")
    return quantities


def price_lines(
    requested: Sequence[tuple[str, int]], products: dict[str, PricedProduct]
) -> list[OrderLine]:
    """Turn (product id, quantity) pairs into priced lines, merging repeated products.

    Raises `DomainError` for an empty order, a bad quantity, an unknown or inactive
    product, or products priced in different currencies.
    """
    quantities = merge_quantities(requested)
    lines: list[OrderLine] = []
    for product_id, quantity in quantities.items():
        product = products.get(product_id)
        if product is None:
            raise DomainError(
                f"product {product_id} does not exist in the catalog (ordering waited for "
                "it a moment, as for a product just added, and never saw it)",
                field="lines.productId",
            )
        if not product.active:
            raise DomainError(
                f"product {product.sku} ({product_id}) is not active and cannot be ordered",
                field="lines.productId",
            )
        lines.append(
            OrderLine(
                product_id=product_id,
                sku=product.sku,
                name=product.name,
                quantity=quantity,
                unit_price=product.unit_price,
            )
        )
    currencies = {products[line.product_id].currency for line in lines}
    if len(currencies) > 1:
        raise DomainError(
            f"all lines of an order must share one currency, got {', '.join(sorted(currencies))}",
            field="lines",
        )
    return lines


class Order(Aggregate):
    context = "ordering"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.status: OrderStatus | None = None
        self.number = ""
        self.customer_id = ""
        self.lines: list[OrderLine] = []
        self.currency = ""
        self.total = Decimal("0.00")
        self.paid_with: str | None = None
        """The payment method once paid (what a cancellation refunds to)."""

    @classmethod
    def place(
        cls,
        order_id: str,
        *,
        number: str,
        customer_id: str,
        lines: Sequence[OrderLine],
        currency: str,
        shipping_address: ShippingAddress,
        now: datetime,
    ) -> Order:
        if not lines:
            raise DomainError("an order needs at least one line", field="lines")
        subtotal = sum((line.line_total for line in lines), Decimal("0")).quantize(CENT)
        order = cls(order_id)
        order._record(
            OrderPlaced(
                order_id=order_id,
                number=number,
                customer_id=customer_id,
                lines=[
                    LineData(
                        product_id=line.product_id,
                        sku=line.sku,
                        name=line.name,
                        quantity=line.quantity,
                        unit_price=str(line.unit_price),
                        line_total=str(line.line_total),
                    )
                    for line in lines
                ],
                currency=currency,
                subtotal=str(subtotal),
                total=str(subtotal),
                shipping_address=AddressData(**shipping_address.as_dict()),
                placed_at=now,
            )
        )
        return order

    def confirm(self, now: datetime) -> None:
        self._require(OrderStatus.PENDING, "confirm")
        self._record(
            OrderConfirmed(order_id=self.id, customer_id=self.customer_id, confirmed_at=now)
        )

    def reject(self, reasons: Sequence[RejectionReason], now: datetime) -> None:
        self._require(OrderStatus.PENDING, "reject")
        self._record(
            OrderRejected(
                order_id=self.id,
                customer_id=self.customer_id,
                reasons=list(reasons),
                rejected_at=now,
            )
        )

    def pay(self, method: PaymentMethod, amount: str | Decimal, now: datetime) -> None:
        self._require(OrderStatus.CONFIRMED, "pay")
        paid = parse_amount(amount, "amount")
        if paid != self.total:
            raise DomainError(
                f"payment of {paid} {self.currency} does not match the order total "
                f"{self.total} {self.currency}; pay the exact total",
                field="amount",
            )
        self._record(
            OrderPaid(
                order_id=self.id,
                customer_id=self.customer_id,
                method=method.value,
                amount=str(paid),
                currency=self.currency,
                paid_at=now,
            )
        )

    def ship(self, now: datetime) -> None:
        self._require(OrderStatus.PAID, "ship")
        self._record(
            OrderShipped(
                order_id=self.id,
                customer_id=self.customer_id,
                lines=self._quantities(),
                shipped_at=now,
            )
        )

    def cancel(self, reason: str, now: datetime) -> None:
        if self.status not in CANCELLABLE:
            raise Conflict(
                f"order {self.number} is {self.status} and can no longer be cancelled "
                "(only PENDING, CONFIRMED or PAID orders can)",
                field="id",
            )
        text = reason.strip()
        if len(text) > REASON_MAX:
            raise DomainError(f"reason is longer than {REASON_MAX} characters", field="reason")
        assert self.status is not None
        paid = self.status is OrderStatus.PAID
        self._record(
            OrderCancelled(
                order_id=self.id,
                customer_id=self.customer_id,
                reason=text,
                previous_status=self.status.value,
                lines=self._quantities(),
                cancelled_at=now,
            )
        )
        if paid:  # the money goes back the way it came, in full
            self._record(
                OrderRefunded(
                    order_id=self.id,
                    customer_id=self.customer_id,
                    method=self.paid_with or "",
                    amount=str(self.total),
                    currency=self.currency,
                    reason=text,
                    refunded_at=now,
                )
            )

    def _quantities(self) -> list[LineQuantity]:
        return [LineQuantity(product_id=ln.product_id, quantity=ln.quantity) for ln in self.lines]

    def _require(self, status: OrderStatus, action: str) -> None:
        if self.status is None:
            raise Conflict(f"order {self.id} has not been placed")
        if self.status != status:
            raise Conflict(
                f"cannot {action} order {self.number}: it is {self.status}, "
                f"only a {status} order can be {action_past(action)}",
                field="id",
            )

    def apply(self, event: DomainEvent) -> None:
        match event:
            case OrderPlaced():
                self.status = OrderStatus.PENDING
                self.number = event.number
                self.customer_id = event.customer_id
                self.currency = event.currency
                self.total = Decimal(event.total)
                self.lines = [
                    OrderLine(
                        product_id=ln.product_id,
                        sku=ln.sku,
                        name=ln.name,
                        quantity=ln.quantity,
                        unit_price=Decimal(ln.unit_price),
                    )
                    for ln in event.lines
                ]
            case OrderConfirmed():
                self.status = OrderStatus.CONFIRMED
            case OrderRejected():
                self.status = OrderStatus.REJECTED
            case OrderPaid():
                self.status = OrderStatus.PAID
                self.paid_with = event.method
            case OrderShipped():
                self.status = OrderStatus.SHIPPED
            case OrderCancelled():
                self.status = OrderStatus.CANCELLED


def action_past(action: str) -> str:
    return {"confirm": "confirmed", "reject": "rejected", "pay": "paid", "ship": "shipped"}[action]

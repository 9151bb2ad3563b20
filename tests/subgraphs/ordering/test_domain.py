"""The Order aggregate, pricing and numbering, without any service."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from eventbus import Conflict, DomainError, DomainEvent, registry
from subgraphs.ordering.domain import (
    Order,
    OrderCancelled,
    OrderNumberCounter,
    OrderPlaced,
    OrderRefunded,
    OrderStatus,
    PaymentMethod,
    PricedProduct,
    RejectionReason,
    ShippingAddress,
    counter_id,
    price_lines,
)

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
ADDRESS = ShippingAddress.create(line1="Main 1", city="Berlin", postal_code="10115", country="de")
PRODUCTS = {
    "p1": PricedProduct("p1", "TEA-1", "Green tea", Decimal("3.50"), "EUR", True),
    "p2": PricedProduct("p2", "MUG-1", "Mug", Decimal("12.99"), "EUR", True),
    "old": PricedProduct("old", "OLD-1", "Retired", Decimal("1.00"), "EUR", False),
    "usd": PricedProduct("usd", "USD-1", "Import", Decimal("5.00"), "USD", True),
}


def placed(*lines: tuple[str, int]) -> Order:
    priced = price_lines(list(lines or [("p1", 2), ("p2", 1)]), PRODUCTS)
    order = Order.place(
        "o1",
        number="SO-20261129-0001",
        customer_id="c1",
        lines=priced,
        currency="EUR",
        shipping_address=ADDRESS,
        now=NOW,
    )
    return order


def test_placing_prices_lines_and_totals_exactly() -> None:
    order = placed(("p1", 3), ("p2", 2), ("p1", 1))
    (event,) = order.pending
    assert isinstance(event, OrderPlaced)
    assert [(ln.sku, ln.quantity, ln.unit_price, ln.line_total) for ln in event.lines] == [
        ("TEA-1", 4, "3.50", "14.00"),
        ("MUG-1", 2, "12.99", "25.98"),
    ]
    assert (event.subtotal, event.total, event.currency) == ("39.98", "39.98", "EUR")
    assert order.status is OrderStatus.PENDING


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "at least one line"),
        ([("p1", 0)], "must be positive"),
        ([("p1", -2)], "must be positive"),
        ([("nope", 1)], "does not exist in the catalog"),
        ([("old", 1)], "is not active"),
        ([("p1", 1), ("usd", 1)], "share one currency"),
        ([("p1", 10_001)], "at most 10000 units"),
    ],
)
def test_bad_lines_are_rejected_up_front(lines: list[tuple[str, int]], message: str) -> None:
    with pytest.raises(DomainError, match=message):
        price_lines(lines, PRODUCTS)


def test_happy_path_transitions() -> None:
    order = placed()
    order.confirm(NOW)
    order.pay(PaymentMethod.CARD, "19.99", NOW)
    order.ship(NOW)
    assert order.status is OrderStatus.SHIPPED
    assert [type(e).__name__ for e in order.pending] == [
        "OrderPlaced",
        "OrderConfirmed",
        "OrderPaid",
        "OrderShipped",
    ]
    assert order.pending[-1].lines[0].quantity == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize("amount", ["19.98", "20", "19.999", "-19.99", "NaN", "Infinity"])
def test_payment_must_equal_the_total_exactly(amount: str) -> None:
    order = placed()
    order.confirm(NOW)
    with pytest.raises(DomainError) as caught:
        order.pay(PaymentMethod.CASH, amount, NOW)
    assert caught.value.field == "amount"
    assert order.status is OrderStatus.CONFIRMED


def test_payment_amount_must_be_a_number() -> None:
    order = placed()
    order.confirm(NOW)
    with pytest.raises(DomainError, match="not a number"):
        order.pay(PaymentMethod.CASH, "lots", NOW)


def test_illegal_transitions_conflict() -> None:
    order = placed()
    with pytest.raises(Conflict, match="only a CONFIRMED order can be paid"):
        order.pay(PaymentMethod.CASH, "19.99", NOW)
    with pytest.raises(Conflict, match="only a PAID order can be shipped"):
        order.ship(NOW)
    order.reject([RejectionReason(product_id="p1", reason="out of stock")], NOW)
    assert order.status is OrderStatus.REJECTED
    with pytest.raises(Conflict, match="can no longer be cancelled"):
        order.cancel("too late", NOW)
    with pytest.raises(Conflict):
        order.confirm(NOW)


def test_cancel_before_shipping_only_and_carries_lines() -> None:
    for steps in ([], ["confirm"], ["confirm", "pay"]):
        order = placed()
        if "confirm" in steps:
            order.confirm(NOW)
        if "pay" in steps:
            order.pay(PaymentMethod.CASH, "19.99", NOW)
        previous = order.status
        before = len(order.pending)
        order.cancel("changed my mind", NOW)
        event, *refund = order.pending[before:]
        assert isinstance(event, OrderCancelled)
        assert event.previous_status == previous
        assert [(ln.product_id, ln.quantity) for ln in event.lines] == [("p1", 2), ("p2", 1)]
        if "pay" in steps:  # a paid order's money goes back, in full, the way it came
            [refunded] = refund
            assert isinstance(refunded, OrderRefunded)
            assert (refunded.method, refunded.amount, refunded.currency) == ("CASH", "19.99", "EUR")
            assert refunded.reason == "changed my mind"
        else:
            assert refund == []
    shipped = placed()
    shipped.confirm(NOW)
    shipped.pay(PaymentMethod.CASH, "19.99", NOW)
    shipped.ship(NOW)
    with pytest.raises(Conflict, match="SHIPPED"):
        shipped.cancel("", NOW)


def test_replay_restores_status_and_total() -> None:
    order = placed()
    order.confirm(NOW)
    replayed = Order.replay("o1", list(order.pending))
    assert (replayed.status, replayed.total, replayed.version) == (
        OrderStatus.CONFIRMED,
        Decimal("19.99"),
        2,
    )


def _lifecycles() -> list[Order]:
    """One order down every legal path, each with all its events still pending."""
    shipped = placed()
    shipped.confirm(NOW)
    shipped.pay(PaymentMethod.CARD, "19.99", NOW)
    shipped.ship(NOW)
    rejected = placed()
    rejected.reject([RejectionReason(product_id="p1", reason="out of stock")], NOW)
    cancelled = placed()
    cancelled.confirm(NOW)
    cancelled.cancel("changed my mind", NOW)
    return [shipped, rejected, cancelled]


def test_every_event_names_the_customer_and_the_status_it_leads_to() -> None:
    """What the gateway filters `orderUpdates(customerId, status)` on, from the event alone."""
    for order in _lifecycles():
        statuses = []
        replayed = Order("o1")
        for event in order.pending:
            data = event.payload()
            assert data["customer_id"] == "c1", event
            replayed.apply(event)
            assert data["status"] == replayed.status, event
            statuses.append(data["status"])
        assert statuses[-1] == order.status
    assert [[e.payload()["status"] for e in o.pending] for o in _lifecycles()] == [
        ["PENDING", "CONFIRMED", "PAID", "SHIPPED"],
        ["PENDING", "REJECTED"],
        ["PENDING", "CONFIRMED", "CANCELLED"],
    ]


def test_events_stored_before_customer_and_status_still_read() -> None:
    """Data stored before (no `customer_id`/`status` after OrderPlaced) decodes and replays,
    and the order's next event names its customer again."""
    old: list[DomainEvent] = []
    for event in _lifecycles()[0].pending + _lifecycles()[2].pending[-1:]:
        data = event.payload()
        data.pop("status")
        if not isinstance(event, OrderPlaced):
            data.pop("customer_id")
        decoded = registry.decode(event.event_type, data)
        assert isinstance(decoded, type(event))
        old.append(decoded)
    assert [e.payload()["status"] for e in old] == [
        "PENDING",
        "CONFIRMED",
        "PAID",
        "SHIPPED",
        "CANCELLED",
    ]
    assert [e.payload()["customer_id"] for e in old] == ["c1", "", "", "", ""]
    replayed = Order.replay("o1", old[:4])
    assert (replayed.status, replayed.customer_id) == (OrderStatus.SHIPPED, "c1")
    after = Order.replay("o1", old[:2])
    after.pay(PaymentMethod.CASH, "19.99", NOW)
    assert after.pending[-1].payload()["customer_id"] == "c1"


def test_order_numbers_are_sequential_per_day() -> None:
    day = date(2026, 11, 29)
    counter = OrderNumberCounter(counter_id(day))
    assert [counter.allocate(day, f"o{i}") for i in range(3)] == [
        "SO-20261129-0001",
        "SO-20261129-0002",
        "SO-20261129-0003",
    ]
    assert counter_id(day) != counter_id(date(2026, 11, 30))


def test_shipping_address_validation() -> None:
    with pytest.raises(DomainError, match="two-letter"):
        ShippingAddress.create(line1="a", city="b", postal_code="1", country="XYZ")
    with pytest.raises(DomainError, match="city must not be empty"):
        ShippingAddress.create(line1="a", city=" ", postal_code="1", country="DE")
    with pytest.raises(DomainError, match="longer than 200"):
        ShippingAddress.create(line1="a" * 201, city="b", postal_code="1", country="DE")

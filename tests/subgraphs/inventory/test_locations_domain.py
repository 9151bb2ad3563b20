"""Stock per location in the domain: store sales may go negative, transfers keep sent vs
received, counts book their variances."""

from __future__ import annotations

import pytest

from eventbus import Conflict, DomainError
from subgraphs.inventory.domain import (
    MAIN,
    LineQuantity,
    StockCount,
    StockCounted,
    StockItem,
    Transfer,
    TransferStatus,
    parse_location,
    stock_item_id,
)

PRODUCT = "6f1c1a43-5d8e-4d0c-9a51-0e6a7b1c2d3e"
OTHER = "0d4d1d9b-8a1a-4e0e-8f77-4a1b7a2f3c9d"
STORE = "5b0e2b1c-3a55-4b9c-8f0e-2f6b9b5c1d22"


def test_locations_are_main_or_a_store_id() -> None:
    assert parse_location(None) == MAIN
    assert parse_location(" main ") == MAIN
    assert parse_location(STORE.upper()) == STORE
    with pytest.raises(DomainError, match="neither MAIN"):
        parse_location("S01")
    assert stock_item_id(PRODUCT, STORE) != stock_item_id(PRODUCT)
    assert StockItem.for_product(PRODUCT, STORE).warehouse == STORE


def test_sales_take_goods_in_hand_below_zero_and_ask_for_a_count() -> None:
    item = StockItem.for_product(PRODUCT, STORE)
    item.receive(2, "DN-1")
    item.sell("sale-1", 3)
    assert (item.on_hand, item.available, item.needs_count) == (-1, -1, True)
    item.restock("return-1", 1)
    assert (item.on_hand, item.needs_count) == (0, False)
    item.adjust(4, "found a box")  # adding to a level at or below 0 is fine
    assert item.on_hand == 4
    with pytest.raises(DomainError, match="greater than 0"):
        item.sell("sale-2", 0)


def test_a_count_books_the_variance_and_never_undercuts_reservations() -> None:
    item = StockItem.for_product(PRODUCT)
    item.receive(10, "DN-1")
    item.reserve("order-1", 4)
    assert item.count("count-1", 7) == -3
    event = item.pending[-1]
    assert isinstance(event, StockCounted)
    assert (event.counted, event.change, event.on_hand) == (7, -3, 7)
    assert item.count("count-2", 7) == 0
    assert len(item.pending) == 3  # nothing for a count that matches
    with pytest.raises(Conflict, match="4 are reserved"):
        item.count("count-3", 3)
    with pytest.raises(DomainError, match="must not be negative"):
        item.count("count-3", -1)
    negative = StockItem.for_product(PRODUCT, STORE)
    negative.sell("sale-1", 2)
    assert negative.count("count-4", 1) == 3 and not negative.needs_count


def test_a_stock_count_is_recorded_once() -> None:
    count = StockCount("c1")
    count.record(STORE, [])
    with pytest.raises(Conflict, match="already recorded"):
        count.record(STORE, [])


def test_a_transfer_is_sent_once_and_received_once_with_its_differences() -> None:
    transfer = Transfer("t1")
    with pytest.raises(DomainError, match="both"):
        transfer.send(MAIN, MAIN, [LineQuantity(product_id=PRODUCT, quantity=1)])
    with pytest.raises(DomainError, match="at least one line"):
        transfer.send(MAIN, STORE, [])
    with pytest.raises(DomainError, match="twice"):
        transfer.send(
            MAIN,
            STORE,
            [LineQuantity(product_id=PRODUCT, quantity=1)] * 2,
        )
    with pytest.raises(Conflict, match="never sent"):
        transfer.receive([])
    lines = [
        LineQuantity(product_id=PRODUCT, quantity=5),
        LineQuantity(product_id=OTHER, quantity=2),
    ]
    transfer.send(MAIN, STORE, lines)
    assert transfer.in_transit == {PRODUCT: 5, OTHER: 2}
    with pytest.raises(Conflict, match="already sent"):
        transfer.send(MAIN, STORE, lines)
    with pytest.raises(DomainError, match="was not sent"):
        transfer.receive([LineQuantity(product_id=STORE, quantity=1)])
    received = transfer.receive([LineQuantity(product_id=PRODUCT, quantity=4)])
    assert [(ln.sent, ln.received, ln.difference) for ln in received] == [(5, 4, -1), (2, 0, -2)]
    assert transfer.status is TransferStatus.RECEIVED and transfer.in_transit == {}
    with pytest.raises(Conflict, match="already received"):
        transfer.receive([])


def test_only_available_units_can_be_sent() -> None:
    item = StockItem.for_product(PRODUCT)
    item.receive(5, "DN-1")
    item.reserve("order-1", 3)
    with pytest.raises(Conflict, match="only 2 are available"):
        item.transfer_out("t1", STORE, 3)
    item.transfer_out("t1", STORE, 2)
    assert (item.on_hand, item.reserved, item.available) == (3, 3, 0)

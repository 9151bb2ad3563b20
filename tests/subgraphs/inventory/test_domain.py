"""Inventory domain rules, no services: stock never negative, reservations held once."""

from __future__ import annotations

import pytest

from eventbus import Conflict, DomainError
from subgraphs.inventory.domain import (
    Reservation,
    ReservationStatus,
    StockItem,
    StockItemReserved,
    StockReceived,
    reservation_id,
    stock_item_id,
)

PRODUCT = "6f1c1a43-5d8e-4d0c-9a51-0e6a7b1c2d3e"


def stocked(units: int) -> StockItem:
    item = StockItem.for_product(PRODUCT)
    item.receive(units, "DN-1")
    return item


def test_stock_item_ids_are_derived_from_product_and_warehouse() -> None:
    assert stock_item_id(PRODUCT) == stock_item_id(PRODUCT, "MAIN")
    assert stock_item_id(PRODUCT, "MAIN") != stock_item_id(PRODUCT, "EAST")
    assert StockItem.for_product(PRODUCT).id == stock_item_id(PRODUCT)


def test_receiving_adds_units_and_refuses_nonsense() -> None:
    item = stocked(10)
    assert (item.on_hand, item.reserved, item.available) == (10, 0, 10)
    event = item.pending[0]
    assert isinstance(event, StockReceived) and event.on_hand == 10
    for quantity in (0, -3):
        with pytest.raises(DomainError, match="greater than 0"):
            item.receive(quantity, "DN-2")
    with pytest.raises(DomainError, match="receipt must not be empty"):
        item.receive(1, "  ")
    with pytest.raises(Conflict, match="already recorded"):
        item.receive(1, "DN-1")


def test_adjusting_never_goes_below_what_is_reserved() -> None:
    item = stocked(10)
    item.reserve("order-1", 4)
    item.adjust(-6, "broken jars")
    assert (item.on_hand, item.reserved, item.available) == (4, 4, 0)
    with pytest.raises(Conflict, match="only 0 are available"):
        item.adjust(-1, "lost")
    with pytest.raises(DomainError, match="reason must not be empty"):
        item.adjust(2, "")
    with pytest.raises(DomainError, match="must not be 0"):
        item.adjust(0, "nothing")


def test_reserve_release_commit_move_the_right_counters() -> None:
    item = stocked(5)
    item.reserve("a", 2)
    item.reserve("b", 3)
    assert item.available == 0
    with pytest.raises(Conflict, match="only 0 available"):
        item.reserve("c", 1)
    with pytest.raises(Conflict, match="already holds"):
        item.reserve("a", 1)
    item.release("a")
    assert (item.on_hand, item.reserved) == (5, 3)
    item.commit("b")
    assert (item.on_hand, item.reserved, item.available) == (2, 0, 2)
    before = len(item.pending)
    item.release("a")
    item.commit("b")
    assert len(item.pending) == before, "settling an order twice changes nothing"


def test_replay_rebuilds_the_same_state() -> None:
    item = stocked(7)
    item.reserve("x", 2)
    events = item.collect()
    again = StockItem.replay(item.id, events)
    assert (again.on_hand, again.reserved, again.reservations) == (7, 2, {"x": 2})
    assert again.version == 2
    assert isinstance(events[1], StockItemReserved)


def test_reservation_lifecycle() -> None:
    reservation = Reservation.for_order("order-9")
    assert reservation.id == reservation_id("order-9")
    assert reservation.status == ReservationStatus.NONE
    reservation.reject([])
    assert reservation.status == ReservationStatus.REJECTED

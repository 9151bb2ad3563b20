"""Cash shifts: float, movements, sales and refunds, X and Z reports, one per register."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D
from typing import TypedDict

import pytest

from subgraphs.sales.domain.cash import count_cash
from subgraphs.sales.domain.errors import SaleInputError, StateConflict
from subgraphs.sales.domain.money import Money
from subgraphs.sales.domain.register_claim import RegisterShiftClaim, register_claim_id
from subgraphs.sales.domain.shift import MovementKind, Shift, ShiftStatus
from subgraphs.sales.domain.tenders import TenderKind
from tests.subgraphs.sales.support import CASHIER, NOW, SUPERVISOR, cid, eur


def _open(total: str = "150.00") -> Shift:
    return Shift.open(
        "shift-1",
        register_id="reg-1",
        store_id="store-ams",
        currency="EUR",
        opening_float=count_cash("EUR", total=eur(total)),
        by=SUPERVISOR,
        now=NOW,
        command_id=cid(),
    )


def _sale(shift: Shift, sale_id: str, cash: str, change: str, card: str) -> None:
    shift.open_sale(sale_id, by=CASHIER, now=NOW, command_id=cid())
    shift.record_sale(
        sale_id,
        cash_tendered=D(cash),
        change=D(change),
        card=D(card),
        by=CASHIER,
        now=NOW,
        command_id=cid(),
    )


def test_a_float_counted_per_denomination_adds_up() -> None:
    count = count_cash("EUR", denominations={D("20"): 5, D("10"): 4, D("0.50"): 20, D("1"): 0})
    assert count.total == D("150.00")
    assert count.denominations == ((D("20"), 5), (D("10"), 4), (D("0.50"), 20))
    with pytest.raises(SaleInputError, match=r"add up to 150\.00, not 140"):
        count_cash("EUR", total=eur("140"), denominations={D("50"): 3})
    with pytest.raises(SaleInputError, match="in USD"):
        count_cash("EUR", total=Money(D("10"), "USD"))


def test_the_z_report_reconciles_expected_and_counted_per_tender() -> None:
    shift = _open("150.00")
    _sale(shift, "s1", cash="50.00", change="5.70", card="0")
    _sale(shift, "s2", cash="0", change="0", card="32.10")
    _sale(shift, "s3", cash="10.00", change="1.00", card="6.00")
    shift.move_cash(MovementKind.PAY_IN, eur("20.00"), "change from the bank", **_by())
    shift.move_cash(MovementKind.PAY_OUT, eur("12.50"), "window cleaner", **_by())
    shift.move_cash(MovementKind.DROP, eur("100.00"), "safe drop", **_by())
    shift.record_refund("ret-1", cash=D("4.00"), card=D("6.00"), **_by())
    # 150 + 60 - 6.70 + 20 - 12.50 - 100 - 4 = 106.80; cards 38.10 - 6 = 32.10
    x = shift.x_report(**_by())
    assert [(t.kind, t.expected) for t in x.tenders] == [
        (TenderKind.CASH, D("106.80")),
        (TenderKind.CARD, D("32.10")),
    ]
    assert shift.status is ShiftStatus.OPEN
    z = shift.close(count_cash("EUR", total=eur("106.50")), **_by(SUPERVISOR))
    cash, card = z.tenders
    assert (cash.expected, cash.counted, cash.over_short) == (D("106.80"), D("106.50"), D("-0.30"))
    assert (card.expected, card.counted, card.over_short) == (D("32.10"), D("32.10"), D("0.00"))
    assert (z.kind, z.sales, z.refunds) == ("Z", 3, 1)
    again = Shift.replay(shift.id, list(shift.pending))
    assert again.status is ShiftStatus.CLOSED and again.z_report == z


class _By(TypedDict):
    by: str
    now: datetime
    command_id: str


def _by(who: str = CASHIER) -> _By:
    return {"by": who, "now": NOW, "command_id": cid()}


def test_closing_with_a_sale_still_open_is_refused() -> None:
    shift = _open()
    shift.open_sale("parked-sale", by=CASHIER, now=NOW, command_id=cid())
    with pytest.raises(StateConflict, match="still open") as err:
        shift.close(count_cash("EUR", total=eur("150")), **_by())
    assert (err.value.code, err.value.reason) == ("CONFLICT", "SHIFT_HAS_OPEN_SALE")
    assert err.value.details["sales"] == ["parked-sale"]
    shift.record_void("parked-sale", **_by())
    shift.close(count_cash("EUR", total=eur("150")), **_by())


def test_a_closed_shift_takes_no_sales_and_no_cash_leaves_an_empty_drawer() -> None:
    shift = _open("10.00")
    with pytest.raises(StateConflict, match="drawer should hold") as err:
        shift.move_cash(MovementKind.DROP, eur("10.01"), "safe drop", **_by())
    assert err.value.reason == "NOT_ENOUGH_CASH"
    with pytest.raises(SaleInputError, match="needs a reason"):
        shift.move_cash(MovementKind.PAY_OUT, eur("1"), "  ", **_by())
    shift.close(count_cash("EUR", total=eur("10")), **_by())
    with pytest.raises(StateConflict) as err:
        shift.open_sale("s", **_by())
    assert err.value.reason == "SHIFT_NOT_OPEN"


def test_repeated_notifications_count_once() -> None:
    shift = _open()
    _sale(shift, "s1", cash="10", change="0", card="0")
    shift.record_sale(
        "s1",
        cash_tendered=D("10"),
        change=D("0"),
        card=D("0"),
        by=CASHIER,
        now=NOW,
        command_id=cid(),
    )
    assert shift.expected_cash == D("160.00")
    same = cid()
    shift.move_cash(
        MovementKind.PAY_IN, eur("5"), "float top-up", by=CASHIER, now=NOW, command_id=same
    )
    shift.move_cash(
        MovementKind.PAY_IN, eur("5"), "float top-up", by=CASHIER, now=NOW, command_id=same
    )
    assert shift.expected_cash == D("165.00")


def test_one_open_shift_per_register() -> None:
    claim = RegisterShiftClaim.for_register("reg-1")
    assert claim.id == register_claim_id("reg-1")
    claim.claim("shift-1", by=SUPERVISOR, now=NOW, command_id=cid())
    claim.claim("shift-1", by=SUPERVISOR, now=NOW, command_id=cid())  # a retry
    with pytest.raises(StateConflict, match="already has an open shift") as err:
        claim.claim("shift-2", by=SUPERVISOR, now=NOW, command_id=cid())
    assert err.value.reason == "REGISTER_HAS_OPEN_SHIFT"
    claim.release("shift-1", by=SUPERVISOR, now=NOW, command_id=cid())
    claim.claim("shift-2", by=SUPERVISOR, now=NOW, command_id=cid())
    assert RegisterShiftClaim.replay(claim.id, list(claim.pending)).open_shift_id == "shift-2"


def test_a_retried_x_report_answers_the_report_it_took_and_records_nothing() -> None:
    shift = _open("100.00")
    taken = _by()
    first = shift.x_report(**taken)
    _sale(shift, "s1", cash="20.00", change="0", card="0")
    recorded = len(shift.pending)
    assert shift.x_report(**taken) == first  # not the figures as they stand now
    assert len(shift.pending) == recorded
    replayed = Shift.replay(shift.id, list(shift.pending))
    assert replayed.x_report(**taken) == first
    fresh = shift.x_report(**_by())
    assert fresh.tenders[0].expected == D("120.00")

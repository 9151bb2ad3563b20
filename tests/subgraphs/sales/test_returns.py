"""Returns against a receipt (fully, partly, never more than sold) and without one."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest

from subgraphs.sales.domain.discounts import DiscountKind
from subgraphs.sales.domain.errors import ApprovalRequired, SaleInputError, StateConflict
from subgraphs.sales.domain.money import Money
from subgraphs.sales.domain.refunds import Disposition, RefundMethod
from subgraphs.sales.domain.sale import Sale
from subgraphs.sales.domain.sale_return import Counter, ReturnItem, SaleReturn, UnreceiptedItem
from subgraphs.sales.domain.tax import TaxClass, TaxPolicy
from subgraphs.sales.domain.tenders import TenderKind
from tests.subgraphs.sales.support import (
    CASHIER,
    NL,
    NOW,
    SUPERVISOR,
    add,
    cid,
    eur,
    start,
)

HERE = Counter("store-ams", "reg-2", "shift-9")


def _sold(card: str | None = None) -> Sale:
    """3 x 10.00 (21%) and 1 x 4.00 (9%), 10% off the sale: 27.00 + 3.60 = 30.60."""
    sale = start()
    add(sale, "10.00", quantity=3, name="Mug")
    add(sale, "4.00", tax_class=TaxClass.REDUCED, name="Tea")
    sale.apply_discount(
        line_id=None,
        kind=DiscountKind.PERCENT,
        value=D("10"),
        reason="opening week",
        by=CASHIER,
        now=NOW,
        command_id=cid(),
    )
    if card is not None:
        sale.add_tender(
            TenderKind.CARD, eur(card), by=CASHIER, now=NOW, command_id=cid(), reference="auth-1"
        )
    left = sale.settlement().remaining
    if left:
        sale.add_tender(TenderKind.CASH, Money(left, "EUR"), by=CASHIER, now=NOW, command_id=cid())
    sale.complete("AMS-R1-000042", by=CASHIER, now=NOW, command_id=cid())
    return sale


def _return(
    sale: Sale,
    *items: ReturnItem,
    method: RefundMethod = RefundMethod.ORIGINAL,
    days_later: int = 1,
    approved_by: str | None = None,
) -> SaleReturn:
    return SaleReturn.against_receipt(
        cid(),
        sale,
        list(items),
        at=HERE,
        refund_method=method,
        return_window_days=30,
        reason="changed mind",
        by=CASHIER,
        now=NOW + timedelta(days=days_later),
        command_id=cid(),
        approved_by=approved_by,
    )


def test_a_partial_return_refunds_what_was_paid_pro_rata() -> None:
    sale = _sold()
    ret = _return(sale, ReturnItem("L1", 1))
    (line,) = ret.document.lines
    # the mug line paid 27.00 for 3 (after its 3.00 share of the sale discount)
    assert (line.gross, line.tax, line.net) == (D("9.00"), D("1.56"), D("7.44"))
    assert sale.returnable("L1") == 2
    assert ret.refunded == D("9.00")


def test_returning_a_line_in_goes_refunds_exactly_the_line() -> None:
    sale = _sold()
    parts = [_return(sale, ReturnItem("L1", 1)) for _ in range(3)]
    line = sale.figures().lines[0]
    assert sum(p.refunded for p in parts) == line.gross
    assert sum(p.document.lines[0].tax for p in parts) == line.tax


def test_returning_more_than_was_sold_is_refused() -> None:
    sale = _sold()
    _return(sale, ReturnItem("L1", 2))
    with pytest.raises(SaleInputError, match="3 sold, 1 still returnable") as err:
        _return(sale, ReturnItem("L1", 2))
    assert (err.value.code, err.value.reason) == ("BAD_USER_INPUT", "RETURN_EXCEEDS_SOLD")
    with pytest.raises(SaleInputError, match="still returnable"):
        _return(sale, ReturnItem("L1", 1), ReturnItem("L1", 1))
    assert sale.returnable("L1") == 1


def test_the_sale_itself_refuses_an_over_return_built_from_a_stale_view() -> None:
    sale = _sold()
    stale = Sale.replay(sale.id, list(sale.pending))
    _return(sale, ReturnItem("L2", 1))
    first = sale.pending[-1]
    stale_return = _return(stale, ReturnItem("L2", 1))
    assert stale_return.refunded == D("3.60")
    # replaying both on one stream (what the store's version check forces) refuses
    fresh = Sale.replay(sale.id, list(sale.pending))
    assert fresh.returnable("L2") == 0
    with pytest.raises(SaleInputError, match="still returnable"):
        fresh.record_return(
            "r-x",
            stale_return.document.lines,
            (),
            by=CASHIER,
            now=NOW,
            command_id=cid(),
        )
    assert first.event_type == "pos.sales.SaleReturnRecorded.v1"


def test_refund_to_the_original_card_first_then_cash() -> None:
    sale = _sold(card="20.00")
    ret = _return(sale, ReturnItem("L1", 3))  # 27.00 back
    refunds = [(r.kind, r.amount, r.reference) for r in ret.document.tender_refunds]
    assert refunds == [(TenderKind.CARD, D("20.00"), "auth-1"), (TenderKind.CASH, D("7.00"), None)]
    # the card has nothing left to refund: the tea comes back in cash (3.60)
    tea = _return(sale, ReturnItem("L2", 1, Disposition.WRITE_OFF))
    assert [(r.kind, r.amount) for r in tea.document.tender_refunds] == [
        (TenderKind.CASH, D("3.60"))
    ]
    assert tea.document.lines[0].disposition is Disposition.WRITE_OFF


def test_cash_refunds_are_cash_rounded() -> None:
    sale = _sold()
    ret = _return(sale, ReturnItem("L1", 1), ReturnItem("L2", 1), method=RefundMethod.CASH)
    # 9.00 + 3.60 = 12.60: no rounding; one mug more is 9.00 again
    assert ret.refunded == D("12.60") and ret.document.cash_rounding == D("0")
    sale2 = start()
    add(sale2, "1.02", quantity=1)
    sale2.add_tender(
        TenderKind.CARD, eur("1.02"), by=CASHIER, now=NOW, command_id=cid(), reference="a"
    )
    sale2.complete("R", by=CASHIER, now=NOW, command_id=cid())
    cash_back = _return(sale2, ReturnItem("L1", 1), method=RefundMethod.CASH)
    assert cash_back.refunded == D("1.00")
    assert cash_back.document.cash_rounding == D("-0.02")


def test_past_the_return_window_only_with_an_approver() -> None:
    sale = _sold()
    with pytest.raises(ApprovalRequired, match="30-day return window") as err:
        _return(sale, ReturnItem("L1", 1), days_later=31)
    assert err.value.reason == "RETURN_WINDOW_PASSED"
    ret = _return(sale, ReturnItem("L1", 1), days_later=31, approved_by=SUPERVISOR)
    assert ret.document.approved_by == SUPERVISOR


def test_an_open_sale_cannot_be_returned() -> None:
    sale = start()
    add(sale, "1.00")
    with pytest.raises(StateConflict):
        _return(sale, ReturnItem("L1", 1))


def test_a_return_without_a_receipt_needs_an_approver_and_refunds_cash() -> None:
    item = UnreceiptedItem("p", "MUG", "Mug", TaxClass.STANDARD, eur("12.10"), 2)

    def go(approved_by: str | None) -> SaleReturn:
        return SaleReturn.without_receipt(
            cid(),
            [item],
            at=HERE,
            currency="EUR",
            tax_table=NL,
            policy=TaxPolicy(),
            reason="gift, no receipt",
            approved_by=approved_by,
            by=CASHIER,
            now=NOW,
            command_id=cid(),
        )

    with pytest.raises(ApprovalRequired, match="without a receipt"):
        go(None)
    ret = go(SUPERVISOR)
    (line,) = ret.document.lines
    assert (line.gross, line.tax, line.line_id) == (D("24.20"), D("4.20"), None)
    assert ret.refunded_by(TenderKind.CASH) == D("24.20")

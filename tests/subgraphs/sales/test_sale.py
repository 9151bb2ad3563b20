"""The Sale aggregate: ringing up, discounts, tenders, completion, idempotent commands."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from subgraphs.sales.domain.discounts import DiscountKind
from subgraphs.sales.domain.errors import (
    ApprovalRequired,
    CurrencyMismatch,
    SaleInputError,
    StateConflict,
)
from subgraphs.sales.domain.events import SaleCompleted
from subgraphs.sales.domain.money import Money
from subgraphs.sales.domain.sale import Sale
from subgraphs.sales.domain.sale_state import SaleStatus
from subgraphs.sales.domain.tax import TaxClass
from subgraphs.sales.domain.tenders import TenderKind
from tests.subgraphs.sales.support import (
    CASHIER,
    NOW,
    SUPERVISOR,
    US,
    US_POLICY,
    add,
    cid,
    eur,
    start,
)


def _discount(sale: Sale, kind: DiscountKind, value: D | Money, **kw: object) -> str:
    return sale.apply_discount(
        line_id=kw.pop("line_id", None),  # type: ignore[arg-type]
        kind=kind,
        value=value,
        reason=str(kw.pop("reason", "loyal customer")),
        by=CASHIER,
        now=NOW,
        command_id=str(kw.pop("command_id", cid())),
        **kw,  # type: ignore[arg-type]
    )


def _pay(sale: Sale, kind: TenderKind, amount: str, ref: str | None = None) -> str:
    return sale.add_tender(
        kind, Money(D(amount), sale.currency), by=CASHIER, now=NOW, command_id=cid(), reference=ref
    )


def _reload(sale: Sale) -> Sale:
    events = list(sale.pending)
    return Sale.replay(sale.id, events)


def test_a_walk_in_sale_is_rung_up_paid_in_cash_and_completed() -> None:
    sale = start()
    assert sale.customer_id is None
    add(sale, "12.10")
    add(sale, "1.09", quantity=2, tax_class=TaxClass.REDUCED, name="Bread")
    assert sale.figures().total == D("14.28")
    _pay(sale, TenderKind.CASH, "20.00")
    done = sale.complete("AMS-R1-000001", by=CASHIER, now=NOW, command_id=cid())
    s = done.settlement
    # 14.28 in cash rounds to 14.30 (Dutch 5-cent rule): the store gains 0.02
    assert (s.cash_rounding, s.due, s.change) == (D("0.02"), D("14.30"), D("5.70"))
    assert sale.status is SaleStatus.COMPLETED
    assert [r.tax for r in done.figures.tax_summary] == [D("2.10"), D("0.18")]


def test_state_is_rebuilt_from_events() -> None:
    sale = start()
    line = add(sale, "5.00", quantity=3)
    _discount(sale, DiscountKind.PERCENT, D("10"), line_id=line)
    again = _reload(sale)
    assert again.figures() == sale.figures()
    assert again.version == sale.version


def test_a_repeated_command_id_is_a_no_op_with_the_same_outcome() -> None:
    sale = start()
    first = add(sale, "2.00", command_id="scan-1")
    version = sale.version
    assert add(sale, "2.00", command_id="scan-1") == first
    assert sale.version == version
    reloaded = _reload(sale)
    assert add(reloaded, "2.00", command_id="scan-1") == first
    assert len(reloaded.lines) == 1
    _pay(sale, TenderKind.CARD, "2.00", "auth-1")
    done = sale.complete("R-1", by=CASHIER, now=NOW, command_id="done-1")
    assert sale.complete("R-2", by=CASHIER, now=NOW, command_id="done-1") is done


def test_quantity_change_and_line_removal() -> None:
    sale = start()
    line = add(sale, "3.00")
    sale.change_quantity(line, 4, by=CASHIER, now=NOW, command_id=cid())
    assert sale.figures().total == D("12.00")
    with pytest.raises(SaleInputError, match="from 1 to 9999"):
        sale.change_quantity(line, 0, by=CASHIER, now=NOW, command_id=cid())
    sale.remove_line(line, by=CASHIER, now=NOW, command_id=cid())
    assert sale.figures().total == D("0")
    with pytest.raises(SaleInputError, match="no line") as err:
        sale.remove_line(line, by=CASHIER, now=NOW, command_id=cid())
    assert err.value.reason == "UNKNOWN_LINE"


def test_a_price_in_another_currency_is_refused() -> None:
    sale = start()
    with pytest.raises(CurrencyMismatch):
        sale.add_line(
            product_id="p",
            sku="P",
            name="P",
            unit_price=Money(D("1.00"), "USD"),
            tax_class=TaxClass.STANDARD,
            quantity=1,
            by=CASHIER,
            now=NOW,
            command_id=cid(),
        )


def test_customer_can_be_attached_and_detached() -> None:
    sale = start()
    sale.attach_customer("cust-7", by=CASHIER, now=NOW, command_id=cid())
    assert sale.customer_id == "cust-7"
    sale.detach_customer(by=CASHIER, now=NOW, command_id=cid())
    assert sale.customer_id is None
    with pytest.raises(StateConflict, match="no customer"):
        sale.detach_customer(by=CASHIER, now=NOW, command_id=cid())


def test_line_and_sale_discounts_add_up() -> None:
    sale = start()
    a = add(sale, "10.00", quantity=2)
    add(sale, "5.00", tax_class=TaxClass.REDUCED, name="Tea")
    _discount(sale, DiscountKind.AMOUNT, eur("2.00"), line_id=a, reason="damaged box")
    _discount(sale, DiscountKind.PERCENT, D("10"))
    f = sale.figures()
    # 25.00 - 2.00 = 23.00; 10% of it is 2.30 spread 18:5 -> 1.80 and 0.50
    assert (f.subtotal, f.discount_total, f.total) == (D("25.00"), D("4.30"), D("20.70"))
    assert [(x.line_discount, x.sale_discount) for x in f.lines] == [
        (D("2.00"), D("1.80")),
        (D("0"), D("0.50")),
    ]
    assert sum(x.gross for x in f.lines) == f.total == sum(r.gross for r in f.tax_summary)


def test_a_discount_over_100_percent_is_refused() -> None:
    sale = start()
    add(sale, "10.00")
    with pytest.raises(SaleInputError, match="more than 100%") as err:
        _discount(sale, DiscountKind.PERCENT, D("120"), approved_by=SUPERVISOR)
    assert (err.value.code, err.value.reason) == ("BAD_USER_INPUT", "DISCOUNT_OVER_100_PERCENT")
    assert sale.discounts == {}


def test_a_discount_over_the_line_amount_is_refused() -> None:
    sale = start()
    line = add(sale, "3.00")
    with pytest.raises(SaleInputError, match="exceed") as err:
        _discount(sale, DiscountKind.AMOUNT, eur("3.50"), line_id=line, approved_by=SUPERVISOR)
    assert err.value.reason == "DISCOUNT_EXCEEDS_AMOUNT"


def test_a_discount_amount_in_another_currency_is_refused() -> None:
    sale = start()
    add(sale, "3.00")
    with pytest.raises(CurrencyMismatch) as err:
        _discount(sale, DiscountKind.AMOUNT, Money(D("1.00"), "CHF"))
    assert (err.value.code, err.value.reason) == ("BAD_USER_INPUT", "CURRENCY_MISMATCH")


def test_past_the_threshold_a_discount_needs_an_approver() -> None:
    sale = start()
    line = add(sale, "10.00")
    _discount(sale, DiscountKind.PERCENT, D("20"), line_id=line)  # at the threshold: fine
    with pytest.raises(ApprovalRequired) as err:
        _discount(sale, DiscountKind.AMOUNT, eur("2.50"), command_id="big")  # 31% of 8.00
    assert err.value.code == "FORBIDDEN"
    _discount(sale, DiscountKind.AMOUNT, eur("2.50"), approved_by=SUPERVISOR)
    assert [d.approved_by for d in sale.discounts.values()] == [None, SUPERVISOR]
    # a stricter store policy
    with pytest.raises(ApprovalRequired):
        _discount(sale, DiscountKind.PERCENT, D("6"), approval_threshold=D("5"))
    # a promotion was approved when it was set up
    _discount(sale, DiscountKind.PERCENT, D("30"), promotion_code="SPRING")


def test_removing_a_discount() -> None:
    sale = start()
    add(sale, "10.00")
    d = _discount(sale, DiscountKind.PERCENT, D("10"))
    sale.remove_discount(d, by=CASHIER, now=NOW, command_id=cid())
    assert sale.figures().total == D("10.00")


def test_split_tenders_until_the_balance_is_zero() -> None:
    sale = start()
    add(sale, "10.02")
    _pay(sale, TenderKind.CARD, "6.00", "auth-9")
    with pytest.raises(StateConflict, match="still to pay") as err:
        sale.complete("R-1", by=CASHIER, now=NOW, command_id=cid())
    assert err.value.reason == "BALANCE_NOT_ZERO"
    _pay(sale, TenderKind.CASH, "5.00")
    done = sale.complete("R-1", by=CASHIER, now=NOW, command_id=cid())
    s = done.settlement
    # 4.02 left for cash rounds to 4.00
    assert (s.card, s.cash, s.cash_rounding, s.change) == (
        D("6.00"),
        D("5.00"),
        D("-0.02"),
        D("1.00"),
    )
    assert s.tendered - s.change == s.total + s.cash_rounding


def test_overpaying_with_a_card_is_refused() -> None:
    sale = start()
    add(sale, "10.00")
    with pytest.raises(SaleInputError, match="only cash gives change") as err:
        _pay(sale, TenderKind.CARD, "10.01", "auth")
    assert err.value.reason == "CARD_OVERPAYMENT"


def test_a_tender_in_another_currency_is_refused() -> None:
    sale = start()
    add(sale, "10.00")
    with pytest.raises(CurrencyMismatch, match="in USD but this sale is in EUR"):
        sale.add_tender(
            TenderKind.CASH, Money(D("10"), "USD"), by=CASHIER, now=NOW, command_id=cid()
        )


def test_the_basket_is_frozen_once_paid_and_nothing_is_paid_twice() -> None:
    sale = start()
    add(sale, "4.00")
    _pay(sale, TenderKind.CASH, "5.00")
    with pytest.raises(StateConflict) as err:
        add(sale, "1.00")
    assert err.value.reason == "PAYMENT_STARTED"
    with pytest.raises(StateConflict) as err:
        _pay(sale, TenderKind.CASH, "1.00")
    assert err.value.reason == "NOTHING_TO_PAY"


def test_us_sales_tax_is_added_at_the_till() -> None:
    sale = start(US, US_POLICY, "USD")
    add(sale, "10.00")
    add(sale, "2.50", tax_class=TaxClass.ZERO, name="Milk")
    f = sale.figures()
    assert (f.subtotal, f.tax_total, f.total) == (D("12.50"), D("0.89"), D("13.39"))
    _pay(sale, TenderKind.CASH, "20.00")
    done = sale.complete("R", by=CASHIER, now=NOW, command_id=cid())
    assert (done.settlement.cash_rounding, done.settlement.change) == (D("0"), D("6.61"))


def test_park_and_resume() -> None:
    sale = start()
    add(sale, "1.00")
    sale.park(by=CASHIER, now=NOW, command_id=cid())
    with pytest.raises(StateConflict, match="resume it first"):
        add(sale, "1.00")
    sale.resume(by=CASHIER, now=NOW, command_id=cid())
    assert sale.status is SaleStatus.OPEN
    with pytest.raises(StateConflict):
        sale.resume(by=CASHIER, now=NOW, command_id=cid())


def test_void_records_the_voider_and_whether_money_was_taken() -> None:
    sale = start()
    add(sale, "1.00")
    _pay(sale, TenderKind.CASH, "0.50")
    assert sale.void_needs_scope
    sale.void("customer changed their mind", by=SUPERVISOR, now=NOW, command_id=cid())
    assert (sale.status, sale.voided_by) == (SaleStatus.VOIDED, SUPERVISOR)
    with pytest.raises(StateConflict):
        sale.void("again", by=SUPERVISOR, now=NOW, command_id=cid())


def test_completion_needs_lines_and_happens_once() -> None:
    sale = start()
    with pytest.raises(StateConflict, match="nothing to sell"):
        sale.complete("R", by=CASHIER, now=NOW, command_id=cid())
    add(sale, "0.00", name="Free sample")
    done = sale.complete("R", by=CASHIER, now=NOW, command_id=cid())
    assert isinstance(done, SaleCompleted) and done.figures.total == D("0.00")
    with pytest.raises(StateConflict):
        sale.complete("R", by=CASHIER, now=NOW, command_id=cid())


def test_the_completed_event_round_trips_through_json() -> None:
    sale = start()
    line = add(sale, "7.99", quantity=3)
    _discount(sale, DiscountKind.PERCENT, D("5"), line_id=line)
    _pay(sale, TenderKind.CARD, "22.77", "auth-x")
    done = sale.complete("R", by=CASHIER, now=NOW, command_id=cid())
    assert SaleCompleted.model_validate(done.payload()) == done
    assert done.event_type == "pos.sales.SaleCompleted.v1"

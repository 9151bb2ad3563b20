"""A day at one register, driven the way the application will: every unit of work's
aggregates together, and the Z report reconciles to the cent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

from subgraphs.sales.domain import (
    Counter,
    ReceiptSequence,
    RefundMethod,
    RegisterShiftClaim,
    ReturnItem,
    Sale,
    SaleReturn,
    Shift,
    TenderKind,
    count_cash,
)
from subgraphs.sales.domain.events import SaleCompleted
from subgraphs.sales.domain.tax import TaxClass
from tests.subgraphs.sales.support import CASHIER, NL, NL_POLICY, NOW, SUPERVISOR, cid, eur


def test_a_day_reconciles() -> None:
    claim = RegisterShiftClaim.for_register("reg-1")
    claim.claim("shift-1", by=SUPERVISOR, now=NOW, command_id=cid())
    shift = Shift.open(
        "shift-1",
        register_id="reg-1",
        store_id="store-ams",
        currency="EUR",
        opening_float=count_cash("EUR", denominations={D("10"): 10, D("1"): 50}),
        by=SUPERVISOR,
        now=NOW,
        command_id=cid(),
    )
    numbers = ReceiptSequence.for_register("reg-1")

    def sell(price: str, tenders: list[tuple[TenderKind, str]]) -> tuple[Sale, SaleCompleted]:
        sale = Sale.start(
            f"sale-{cid()}",
            store_id="store-ams",
            register_id="reg-1",
            shift_id=shift.id,
            currency="EUR",
            tax_table=NL,
            policy=NL_POLICY,
            by=CASHIER,
            now=NOW,
            command_id=cid(),
        )
        shift.open_sale(sale.id, by=CASHIER, now=NOW, command_id=cid())
        sale.add_line(
            product_id="p",
            sku="P",
            name="Thing",
            unit_price=eur(price),
            tax_class=TaxClass.STANDARD,
            quantity=1,
            by=CASHIER,
            now=NOW,
            command_id=cid(),
        )
        for kind, amount in tenders:
            sale.add_tender(
                kind, eur(amount), by=CASHIER, now=NOW, command_id=cid(), reference="ref"
            )
        assert sale.settlement().settled
        number = numbers.take(
            sale.id, store_code="AMS", register_code="R1", by=CASHIER, now=NOW, command_id=cid()
        )
        done = sale.complete(number, by=CASHIER, now=NOW, command_id=cid())
        s = done.settlement
        shift.record_sale(
            sale.id,
            cash_tendered=s.cash,
            change=s.change,
            card=s.card,
            by=CASHIER,
            now=NOW,
            command_id=cid(),
        )
        return sale, done

    _, first = sell("9.99", [(TenderKind.CASH, "20.00")])  # 9.99 in cash is 10.00: change 10.00
    sold, second = sell("24.03", [(TenderKind.CARD, "20.00"), (TenderKind.CASH, "5.00")])
    _, third = sell("3.50", [(TenderKind.CARD, "3.50")])
    assert [first.receipt_number, second.receipt_number, third.receipt_number] == [
        "AMS-R1-000001",
        "AMS-R1-000002",
        "AMS-R1-000003",
    ]
    # the parked sale is voided before closing
    parked = Sale.start(
        "sale-parked",
        store_id="store-ams",
        register_id="reg-1",
        shift_id=shift.id,
        currency="EUR",
        tax_table=NL,
        policy=NL_POLICY,
        by=CASHIER,
        now=NOW,
        command_id=cid(),
    )
    shift.open_sale(parked.id, by=CASHIER, now=NOW, command_id=cid())
    parked.void("customer left", by=CASHIER, now=NOW, command_id=cid())
    shift.record_void(parked.id, by=CASHIER, now=NOW, command_id=cid())

    ret = SaleReturn.against_receipt(
        "ret-1",
        sold,
        [ReturnItem("L1", 1)],
        at=Counter("store-ams", "reg-1", shift.id),
        refund_method=RefundMethod.ORIGINAL,
        return_window_days=30,
        reason="wrong size",
        by=CASHIER,
        now=NOW + timedelta(hours=2),
        command_id=cid(),
    )
    shift.record_refund(
        "ret-1",
        cash=ret.refunded_by(TenderKind.CASH),
        card=ret.refunded_by(TenderKind.CARD),
        by=CASHIER,
        now=NOW,
        command_id=cid(),
    )
    # 24.03 back: 20.00 to the card, 4.03 -> 4.05 in cash
    assert (ret.refunded_by(TenderKind.CARD), ret.refunded_by(TenderKind.CASH)) == (
        D("20.00"),
        D("4.05"),
    )
    z = shift.close(
        count_cash("EUR", total=eur("159.95")),
        counted_card=eur("3.50"),
        by=SUPERVISOR,
        now=NOW,
        command_id=cid(),
    )
    claim.release(shift.id, by=SUPERVISOR, now=NOW, command_id=cid())
    cash, card = z.tenders
    # float 150.00 + (20.00 - 10.00) + (5.00 - 0.95) - refund 4.05 = 160.00, counted 159.95
    assert (cash.expected, cash.counted, cash.over_short) == (D("160.00"), D("159.95"), D("-0.05"))
    # cards 20.00 + 3.50 - refund 20.00 = 3.50, as the terminal's batch says
    assert (card.expected, card.over_short) == (D("3.50"), D("0.00"))
    assert (first.settlement.cash_rounding, second.settlement.cash_rounding) == (
        D("0.01"),
        D("0.02"),
    )
    assert (z.sales, z.voids, z.refunds) == (3, 1, 1)
    assert claim.open_shift_id is None

"""Promotions count their uses inside their window; receipt numbers never skip."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest

from eventbus import NotFound
from subgraphs.sales.domain.discounts import DiscountKind
from subgraphs.sales.domain.errors import SaleInputError, StateConflict
from subgraphs.sales.domain.money import Money
from subgraphs.sales.domain.promotions import Promotion, promotion_id
from subgraphs.sales.domain.receipt_sequence import (
    ReceiptSequence,
    format_receipt_number,
    receipt_sequence_id,
)
from tests.subgraphs.sales.support import CASHIER, NOW, add, cid, start


def _promotion(limit: int | None = 2) -> Promotion:
    return Promotion.create(
        "spring-10",
        kind=DiscountKind.PERCENT,
        value=D("10"),
        valid_from=NOW - timedelta(days=1),
        valid_until=NOW + timedelta(days=1),
        usage_limit=limit,
        by="staff-manager",
        now=NOW,
        command_id=cid(),
    )


def test_a_promotion_is_redeemed_up_to_its_limit() -> None:
    promo = _promotion(limit=2)
    assert promo.id == promotion_id("SPRING-10")
    promo.redeem("sale-a", by=CASHIER, now=NOW, command_id=cid())
    promo.redeem("sale-a", by=CASHIER, now=NOW, command_id=cid())  # same sale: once
    promo.redeem("sale-b", by=CASHIER, now=NOW, command_id=cid())
    assert promo.uses_left == 0
    with pytest.raises(StateConflict, match="used its 2 times") as err:
        promo.redeem("sale-c", by=CASHIER, now=NOW, command_id=cid())
    assert (err.value.code, err.value.reason) == ("CONFLICT", "PROMOTION_USED_UP")
    promo.release("sale-a", by=CASHIER, now=NOW, command_id=cid())
    promo.redeem("sale-c", by=CASHIER, now=NOW, command_id=cid())
    again = Promotion.replay(promo.id, list(promo.pending))
    assert again.redeemed == {"sale-b", "sale-c"}


def test_a_promotion_outside_its_window_is_refused() -> None:
    promo = _promotion(limit=None)
    with pytest.raises(StateConflict, match="valid from") as err:
        promo.redeem("s", by=CASHIER, now=NOW + timedelta(days=2), command_id=cid())
    assert err.value.reason == "PROMOTION_NOT_VALID_NOW"
    with pytest.raises(NotFound):
        Promotion(promotion_id("NOPE")).redeem("s", by=CASHIER, now=NOW, command_id=cid())


def test_a_promotion_discount_applies_without_an_approver() -> None:
    promo = _promotion()
    sale = start()
    add(sale, "10.00")
    promo.redeem(sale.id, by=CASHIER, now=NOW, command_id=cid())
    sale.apply_discount(
        line_id=None,
        kind=promo.kind,
        value=promo.discount_value(),
        reason=f"promotion {promo.code}",
        promotion_code=promo.code,
        approval_threshold=D("5"),
        by=CASHIER,
        now=NOW,
        command_id=cid(),
    )
    assert sale.figures().total == D("9.00")


def test_bad_promotions_are_refused() -> None:
    with pytest.raises(SaleInputError, match="end after it starts"):
        Promotion.create(
            "X",
            kind=DiscountKind.AMOUNT,
            value=Money(D("5"), "EUR"),
            valid_from=NOW,
            valid_until=NOW,
            usage_limit=1,
            by="m",
            now=NOW,
            command_id=cid(),
        )
    with pytest.raises(SaleInputError, match="takes a percentage"):
        Promotion.create(
            "X",
            kind=DiscountKind.AMOUNT,
            value=D("5"),
            valid_from=NOW,
            valid_until=NOW + timedelta(hours=1),
            usage_limit=1,
            by="m",
            now=NOW,
            command_id=cid(),
        )


def _take(seq: ReceiptSequence, sale_id: str) -> str:
    return seq.take(
        sale_id, store_code="ams", register_code="r1", by=CASHIER, now=NOW, command_id=cid()
    )


def test_receipt_numbers_follow_each_other_per_register() -> None:
    seq = ReceiptSequence.for_register("reg-1")
    assert seq.id == receipt_sequence_id("reg-1") != receipt_sequence_id("reg-2")
    first, second = _take(seq, "sale-1"), _take(seq, "sale-2")
    assert (first, second) == ("AMS-R1-000001", "AMS-R1-000002")
    # the same sale asking again (a retry) keeps its number and records nothing
    assert _take(seq, "sale-1") == first
    assert seq.version == 2
    reloaded = ReceiptSequence.replay(seq.id, list(seq.pending), 0)
    assert _take(reloaded, "sale-3") == "AMS-R1-000003"
    assert [e.payload()["sequence"] for e in reloaded.pending] == [3]


def test_the_number_grows_past_six_digits_and_codes_are_checked() -> None:
    assert format_receipt_number("AMS", "R1", 1234567) == "AMS-R1-1234567"
    with pytest.raises(SaleInputError, match="store code"):
        format_receipt_number("A M S", "R1", 1)

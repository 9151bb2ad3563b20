"""Discounts on a line or on the whole sale: PERCENT or AMOUNT, always with a reason.

Rules, in business terms:

- a percentage is more than 0 and at most 100; an amount is more than 0, in the sale's
  currency, and never more than what it discounts (the line's amount after its own
  discounts are checked together; a sale discount against the subtotal after line
  discounts). Several sale discounts each apply to that same subtotal (they do not
  compound), and together may not exceed it;
- past the store's threshold (a percentage passed in, 20 by default) the command must
  name an approver: a member of staff whose scopes include `discounts:approve` (the
  application checks the scope; the domain only insists the approver is there). An
  AMOUNT discount is measured by the percentage it takes off what it discounts;
- a promotion's discount needs no approver: the promotion itself was approved when it
  was set up (`promotions.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from subgraphs.sales.domain.errors import ApprovalRequired, SaleInputError
from subgraphs.sales.domain.money import Money, RoundingMode, exact_amount, round_money

HUNDRED = Decimal(100)
DEFAULT_APPROVAL_THRESHOLD = Decimal(20)
REASON_MAX = 200


class DiscountKind(StrEnum):
    PERCENT = "PERCENT"
    AMOUNT = "AMOUNT"


@dataclass(frozen=True, slots=True)
class Discount:
    """A discount as applied. `line_id` None: on the whole sale. `value` is a percentage
    (PERCENT) or an amount in the sale's currency (AMOUNT)."""

    discount_id: str
    line_id: str | None
    kind: DiscountKind
    value: Decimal
    reason: str
    approved_by: str | None = None
    promotion_code: str | None = None

    def amount_on(self, base: Decimal, currency: str, mode: RoundingMode) -> Decimal:
        """What this discount takes off `base` (rounded to the minor unit)."""
        if self.kind is DiscountKind.PERCENT:
            return round_money(base * self.value / HUNDRED, currency, mode)
        return self.value


def parse_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise SaleInputError(
            "a discount needs a reason (e.g. 'damaged packaging', 'price match')",
            reason="REASON_REQUIRED",
            field="reason",
        )
    if len(text) > REASON_MAX:
        raise SaleInputError(
            f"reason must be at most {REASON_MAX} characters",
            reason="REASON_TOO_LONG",
            field="reason",
        )
    return text


def parse_percent(value: Decimal) -> Decimal:
    if not value.is_finite() or value <= 0:
        raise SaleInputError(
            f"a discount percentage must be more than 0, got {value}",
            reason="INVALID_DISCOUNT",
            field="percent",
        )
    if value > HUNDRED:
        raise SaleInputError(
            f"a discount cannot be more than 100%, got {value}%",
            reason="DISCOUNT_OVER_100_PERCENT",
            field="percent",
        )
    if value != value.quantize(Decimal("0.01")):
        raise SaleInputError(
            f"a discount percentage has at most 2 decimals, got {value}",
            reason="INVALID_DISCOUNT",
            field="percent",
        )
    return value


def discount_value(kind: DiscountKind, value: Decimal | Money, currency: str) -> Decimal:
    """The checked value of a discount: a percentage (a Decimal), or an amount (Money,
    refused when in another currency than the sale's)."""
    if kind is DiscountKind.PERCENT:
        if isinstance(value, Money):
            raise SaleInputError(
                "a PERCENT discount takes a percentage, not an amount",
                reason="INVALID_DISCOUNT",
                field="percent",
            )
        return parse_percent(value)
    if not isinstance(value, Money):
        raise SaleInputError(
            "an AMOUNT discount takes an amount with its currency",
            reason="INVALID_DISCOUNT",
            field="amount",
        )
    return exact_amount(value, currency, field="amount")


def check_fits(total_discount: Decimal, base: Decimal, what: str) -> None:
    """Refuse discounts that together take more than `base` off `what`."""
    if total_discount > base:
        raise SaleInputError(
            f"discounts of {total_discount} exceed {what} ({base}): "
            "lower the discount or remove another one first",
            reason="DISCOUNT_EXCEEDS_AMOUNT",
            field="amount",
            base=str(base),
        )


def effective_percent(discount_amount: Decimal, base: Decimal) -> Decimal:
    """How much of `base` an amount takes off, in percent (100 when base is zero)."""
    if base <= 0:
        return HUNDRED
    return discount_amount * HUNDRED / base


def require_approval(
    percent: Decimal,
    threshold: Decimal,
    approved_by: str | None,
    promotion_code: str | None,
) -> None:
    """A discount past `threshold` percent needs an approver (promotions excepted)."""
    if promotion_code is not None or approved_by:
        return
    if percent > threshold:
        raise ApprovalRequired(
            f"a discount of {percent.quantize(Decimal('0.01'))}% is more than the "
            f"{threshold}% a cashier may give: a supervisor must approve it",
            reason="DISCOUNT_NEEDS_APPROVAL",
            field="approvedBy",
            threshold=str(threshold),
        )

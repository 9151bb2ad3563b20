"""Promotions (coupons): a code, a discount, a validity window and a usage limit.

A Promotion is its own aggregate (stream `promotion_id(code)`), so that it can count
its redemptions: redeeming appends to the promotion's stream in the same unit of work
as the sale's `DiscountApplied`, and the expected-version check makes two tills that
redeem the last use at the same moment conflict; the loser retries and is refused.
Its discount needs no approver: whoever set the promotion up approved it.
A voided sale (or a removed promotion discount) gives its use back (`release`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar
from uuid import NAMESPACE_URL, uuid5

from eventbus import Aggregate, DomainEvent, NotFound
from subgraphs.sales.domain.discounts import DiscountKind, parse_percent
from subgraphs.sales.domain.errors import SaleInputError, StateConflict
from subgraphs.sales.domain.events import (
    PromotionCreated,
    PromotionRedeemed,
    PromotionRedemptionReleased,
)
from subgraphs.sales.domain.money import Money, exact_amount, parse_currency

_NAMESPACE = uuid5(NAMESPACE_URL, "pos:sales:promotions")


def parse_code(code: str) -> str:
    value = code.strip().upper()
    if not value or len(value) > 32 or not value.replace("-", "").isalnum():
        raise SaleInputError(
            f"promotion code {code[:40]!r} must be 1-32 letters, digits or '-'",
            reason="INVALID_PROMOTION_CODE",
            field="code",
        )
    return value


def promotion_id(code: str) -> str:
    """A code names one promotion stream, whatever its case."""
    return str(uuid5(_NAMESPACE, parse_code(code)))


class Promotion(Aggregate):
    context: ClassVar[str] = "sales"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.code = ""
        self.kind = DiscountKind.PERCENT
        self.value = Decimal(0)
        self.currency: str | None = None
        self.valid_from: datetime | None = None
        self.valid_until: datetime | None = None
        self.usage_limit: int | None = None
        self.redeemed: set[str] = set()

    @classmethod
    def create(
        cls,
        code: str,
        *,
        kind: DiscountKind,
        value: Decimal | Money,
        valid_from: datetime,
        valid_until: datetime,
        usage_limit: int | None,
        by: str,
        now: datetime,
        command_id: str,
    ) -> Promotion:
        """A new promotion; an AMOUNT one is in one currency, a PERCENT one in any."""
        clean = parse_code(code)
        if isinstance(value, Money):
            currency: str | None = parse_currency(value.currency)
            amount = exact_amount(value, currency or "", field="amount")
        else:
            currency, amount = None, parse_percent(value)
        if (kind is DiscountKind.AMOUNT) != (currency is not None):
            raise SaleInputError(
                "a PERCENT promotion takes a percentage, an AMOUNT one an amount",
                reason="INVALID_DISCOUNT",
                field="value",
            )
        if valid_until <= valid_from:
            raise SaleInputError(
                "a promotion must end after it starts", reason="INVALID_WINDOW", field="validUntil"
            )
        if usage_limit is not None and usage_limit < 1:
            raise SaleInputError(
                "the usage limit must be at least 1 (or none)",
                reason="INVALID_USAGE_LIMIT",
                field="usageLimit",
            )
        promotion = cls(promotion_id(clean))
        promotion._record(
            PromotionCreated(
                command_id=command_id,
                by=by,
                at=now,
                code=clean,
                kind=kind.value,
                value=amount,
                currency=currency,
                valid_from=valid_from,
                valid_until=valid_until,
                usage_limit=usage_limit,
            )
        )
        return promotion

    @property
    def uses_left(self) -> int | None:
        return None if self.usage_limit is None else self.usage_limit - len(self.redeemed)

    def discount_value(self) -> Decimal | Money:
        """What to pass to `Sale.apply_discount(value=...)`."""
        if self.currency is not None:
            return Money(self.value, self.currency)
        return self.value

    def redeem(self, sale_id: str, *, by: str, now: datetime, command_id: str) -> None:
        """Use the promotion on a sale; a sale that already redeemed it uses it once."""
        if sale_id in self.redeemed:
            return
        if self.valid_from is None or self.valid_until is None:
            raise NotFound("no promotion has this code", field="code")
        if not self.valid_from <= now < self.valid_until:
            raise StateConflict(
                f"promotion {self.code} is valid from {self.valid_from:%Y-%m-%d %H:%M} "
                f"until {self.valid_until:%Y-%m-%d %H:%M}, not now",
                reason="PROMOTION_NOT_VALID_NOW",
                field="code",
            )
        if self.uses_left is not None and self.uses_left <= 0:
            raise StateConflict(
                f"promotion {self.code} has been used its {self.usage_limit} times",
                reason="PROMOTION_USED_UP",
                field="code",
            )
        self._record(
            PromotionRedeemed(command_id=command_id, by=by, at=now, code=self.code, sale_id=sale_id)
        )

    def release(self, sale_id: str, *, by: str, now: datetime, command_id: str) -> None:
        if sale_id not in self.redeemed:
            return
        self._record(
            PromotionRedemptionReleased(
                command_id=command_id, by=by, at=now, code=self.code, sale_id=sale_id
            )
        )

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, PromotionCreated):
            self.code = event.code
            self.kind = DiscountKind(event.kind)
            self.value, self.currency = event.value, event.currency
            self.valid_from, self.valid_until = event.valid_from, event.valid_until
            self.usage_limit = event.usage_limit
        elif isinstance(event, PromotionRedeemed):
            self.redeemed.add(event.sale_id)
        elif isinstance(event, PromotionRedemptionReleased):
            self.redeemed.discard(event.sale_id)

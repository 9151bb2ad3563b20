"""Sales mutation inputs: amounts, cash counts, return lines, and the enums a till sends.

Amounts are decimal strings with their currency (`MoneyInput`), like `Money` in answers:
a till never does binary floating point with money. The handlers parse them and refuse
a malformed amount or another currency than the store's (BAD_USER_INPUT).
"""

from __future__ import annotations

from enum import Enum

import strawberry

from subgraphs.sales.application import Amount


@strawberry.input(description='An exact amount: a decimal string ("12.50") and its currency.')
class MoneyInput:
    amount: str
    currency: str

    def command(self) -> Amount:
        return Amount(amount=self.amount, currency=self.currency)


def amount_of(given: MoneyInput | None) -> Amount | None:
    return given.command() if given is not None else None


@strawberry.input(description='How many notes or coins of one face value ("20", "0.05").')
class DenominationCountInput:
    value: str
    count: int


@strawberry.input(
    description="Counted cash: a total, or a count per denomination (both: they must agree)."
)
class CashCountInput:
    total: MoneyInput | None = None
    denominations: list[DenominationCountInput] | None = None

    def faces(self) -> dict[str, int] | None:
        if self.denominations is None:
            return None
        faces: dict[str, int] = {}
        for row in self.denominations:
            faces[row.value] = faces.get(row.value, 0) + row.count
        return faces


@strawberry.enum(description="DROP (to the safe), PAY_IN or PAY_OUT (petty cash).")
class CashMovementKind(Enum):
    DROP = "DROP"
    PAY_IN = "PAY_IN"
    PAY_OUT = "PAY_OUT"


@strawberry.enum(description="RESTOCK (back on the shelf) or WRITE_OFF (damaged).")
class ReturnDisposition(Enum):
    RESTOCK = "RESTOCK"
    WRITE_OFF = "WRITE_OFF"


@strawberry.enum(
    description="ORIGINAL: to the sale's cards first (up to what each paid), the rest in "
    "cash; CASH: all in cash."
)
class RefundMethod(Enum):
    ORIGINAL = "ORIGINAL"
    CASH = "CASH"


@strawberry.input(description="A quantity of one receipt line coming back.")
class ReturnLineInput:
    line_id: strawberry.ID = strawberry.field(description="The line's id on the sale (L1, L2...).")
    quantity: int
    disposition: ReturnDisposition = ReturnDisposition.RESTOCK


@strawberry.input(description="Goods back without a receipt: refunded at today's shelf price.")
class UnreceiptedItemInput:
    product_id: strawberry.ID
    quantity: int
    disposition: ReturnDisposition = ReturnDisposition.RESTOCK

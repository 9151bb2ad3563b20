"""Receipt numbers: one gap-free sequence per register.

The sequence is its own stream (`receipt_sequence_id(register_id)`). Completing a sale
takes the next number and appends it in the same unit of work as `SaleCompleted`, with
the stream's expected version: two tills of one register (or one till retrying) that
take a number at the same moment both expect the same version, the store lets one win,
and the loser reloads and takes the next. A number is only ever written together with
its sale, so the sequence has no gaps, and no two sales share a number.

Format: ``<store code>-<register code>-<number>``, the number zero-padded to at least
six digits (``AMS-R1-000123``; it simply grows past 999999). The codes are the stores
context's short codes (1-16 of A-Z, 0-9, '_', '-'), upper-cased; they make a receipt
unique across the company.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, uuid5

from eventbus import Aggregate, DomainEvent
from subgraphs.sales.domain.errors import SaleInputError
from subgraphs.sales.domain.events import ReceiptNumberTaken

_NAMESPACE = uuid5(NAMESPACE_URL, "pos:sales:receipt-sequences")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,15}$")
DIGITS = 6
SNAPSHOT_RECENT_SALES = 1000  # sales whose numbers a snapshot keeps (retries)


def receipt_sequence_id(register_id: str) -> str:
    """The stream of a register's receipt numbers: one register, one stream."""
    return str(uuid5(_NAMESPACE, register_id))


def format_receipt_number(store_code: str, register_code: str, sequence: int) -> str:
    parts = []
    for label, code in (("store code", store_code), ("register code", register_code)):
        value = code.strip().upper()
        if not _CODE.match(value):
            raise SaleInputError(
                f"{label} {code[:20]!r} must be 1-16 letters, digits, '_' or '-'"
                " (the stores context's codes)",
                reason="INVALID_CODE",
                field=label.replace(" code", "Code"),
            )
        parts.append(value)
    return f"{parts[0]}-{parts[1]}-{sequence:0{DIGITS}d}"


class ReceiptSequence(Aggregate):
    context: ClassVar[str] = "sales"
    snapshot_every: ClassVar[int] = 100  # numbers between snapshots (repositories use it)

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.register_id = ""
        self.last = 0
        self._by_sale: dict[str, str] = {}

    @classmethod
    def for_register(cls, register_id: str) -> ReceiptSequence:
        sequence = cls(receipt_sequence_id(register_id))
        sequence.register_id = register_id
        return sequence

    def take(
        self,
        sale_id: str,
        *,
        store_code: str,
        register_code: str,
        by: str,
        now: datetime,
        command_id: str,
    ) -> str:
        """The next receipt number for `sale_id`; the same sale asking again gets the
        number it already has (nothing recorded)."""
        taken = self._by_sale.get(sale_id)
        if taken is not None:
            return taken
        number = format_receipt_number(store_code, register_code, self.last + 1)
        self._record(
            ReceiptNumberTaken(
                command_id=command_id,
                by=by,
                at=now,
                register_id=self.register_id,
                sequence=self.last + 1,
                receipt_number=number,
                sale_id=sale_id,
            )
        )
        return number

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, ReceiptNumberTaken):
            self.register_id = event.register_id
            self.last = event.sequence
            self._by_sale[event.sale_id] = event.receipt_number

    def snapshot_state(self) -> dict[str, Any]:
        """The counter and the most recent sales' numbers. A register's sequence lives as
        long as the register, so loading it must not mean replaying every receipt ever
        printed. Older sales need no entry: a completed sale refuses to complete again
        (`Sale.complete`), so only a retry of a recent completion can ask twice."""
        recent = list(self._by_sale.items())[-SNAPSHOT_RECENT_SALES:]
        return {"registerId": self.register_id, "last": self.last, "recent": recent}

    def restore_state(self, state: dict[str, Any]) -> None:
        self.register_id = state["registerId"]
        self.last = state["last"]
        self._by_sale = {sale: number for sale, number in state["recent"]}

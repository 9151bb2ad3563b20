"""What a sale is, rebuilt from its events: the state half of the Sale aggregate.

`Sale` (sale.py) adds the commands; this base holds the state, the one `apply` that
changes it, and the read-only views both the commands and the application use.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from eventbus import Aggregate, DomainEvent
from subgraphs.sales.domain.discounts import Discount
from subgraphs.sales.domain.errors import SaleInputError
from subgraphs.sales.domain.events import (
    CustomerAttached,
    CustomerDetached,
    DiscountApplied,
    DiscountRemoved,
    LineAdded,
    LineQuantityChanged,
    LineRemoved,
    SaleCompleted,
    SaleParked,
    SaleResumed,
    SaleReturnRecorded,
    SaleStarted,
    SaleVoided,
    TenderAdded,
)
from subgraphs.sales.domain.figures import SaleFigures, SaleLine, compute_figures
from subgraphs.sales.domain.money import ZERO
from subgraphs.sales.domain.refunds import Returned
from subgraphs.sales.domain.tax import TaxPolicy, TaxTable
from subgraphs.sales.domain.tenders import Settlement, Tender, TenderKind, settle


class SaleStatus(StrEnum):
    OPEN = "OPEN"
    PARKED = "PARKED"
    COMPLETED = "COMPLETED"
    VOIDED = "VOIDED"


class SaleState(Aggregate):
    context: ClassVar[str] = "sales"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.status: SaleStatus | None = None
        self.store_id = ""
        self.register_id = ""
        self.shift_id = ""
        self.currency = ""
        self.table = TaxTable("", {})
        self.policy = TaxPolicy()
        self.started_by = ""
        self.started_at: datetime | None = None
        self.customer_id: str | None = None
        self.lines: dict[str, SaleLine] = {}
        self.discounts: dict[str, Discount] = {}
        self.tenders: list[Tender] = []
        self.completion: SaleCompleted | None = None
        self.voided_by: str | None = None
        self.returned: dict[str, Returned] = {}
        self.return_ids: set[str] = set()
        self.card_refunded = ZERO
        self._outcomes: dict[str, str] = {}
        self._counters = {"L": 0, "D": 0, "T": 0}

    def already_applied(self, command_id: str) -> bool:
        """True when the till's command `command_id` was applied to this sale before."""
        return command_id in self._outcomes

    # -- views ------------------------------------------------------------------------

    def figures(self) -> SaleFigures:
        """The figures as they stand (after completion: the recorded ones)."""
        if self.completion is not None:
            return self.completion.figures
        return compute_figures(
            list(self.lines.values()),
            list(self.discounts.values()),
            self.table,
            self.policy,
            self.currency,
        )

    def settlement(self) -> Settlement:
        return settle(self.figures().total, self.tenders, self.policy, self.currency)

    def returnable(self, line_id: str) -> int:
        """How many of a sold line can still be returned."""
        line = self._line(line_id)
        return line.quantity - self.returned.get(line_id, Returned()).quantity

    def card_refundable(self) -> list[tuple[str | None, Decimal]]:
        """Per card tender, in order: (reference, what can still be refunded to it)."""
        refunded = self.card_refunded
        out: list[tuple[str | None, Decimal]] = []
        for tender in self.tenders:
            if tender.kind is TenderKind.CARD:
                used = min(refunded, tender.amount)
                refunded -= used
                out.append((tender.reference, tender.amount - used))
        return out

    def _line(self, line_id: str) -> SaleLine:
        line = self.lines.get(line_id)
        if line is None:
            raise SaleInputError(
                f"this sale has no line {line_id!r}", reason="UNKNOWN_LINE", field="lineId"
            )
        return line

    # -- state ------------------------------------------------------------------------

    def apply(self, event: DomainEvent) -> None:
        outcome = ""
        if isinstance(event, SaleStarted):
            self.status = SaleStatus.OPEN
            self.store_id, self.register_id = event.store_id, event.register_id
            self.shift_id, self.currency = event.shift_id, event.currency
            self.table = TaxTable(event.tax_region, dict(event.tax_rates))
            self.policy = event.policy
            self.started_by, self.started_at = event.by, event.at
        elif isinstance(event, CustomerAttached):
            self.customer_id = event.customer_id
        elif isinstance(event, CustomerDetached):
            self.customer_id = None
        elif isinstance(event, LineAdded):
            self.lines[event.line.line_id] = event.line
            self._counters["L"] += 1
            outcome = event.line.line_id
        elif isinstance(event, LineQuantityChanged):
            line = self.lines[event.line_id]
            self.lines[event.line_id] = dataclasses.replace(line, quantity=event.quantity)
        elif isinstance(event, LineRemoved):
            del self.lines[event.line_id]
            self.discounts = {k: d for k, d in self.discounts.items() if d.line_id != event.line_id}
        elif isinstance(event, DiscountApplied):
            self.discounts[event.discount.discount_id] = event.discount
            self._counters["D"] += 1
            outcome = event.discount.discount_id
        elif isinstance(event, DiscountRemoved):
            self.discounts.pop(event.discount_id, None)
        elif isinstance(event, SaleParked):
            self.status = SaleStatus.PARKED
        elif isinstance(event, SaleResumed):
            self.status = SaleStatus.OPEN
        elif isinstance(event, TenderAdded):
            self.tenders.append(event.tender)
            self._counters["T"] += 1
            outcome = event.tender.tender_id
        elif isinstance(event, SaleVoided):
            self.status = SaleStatus.VOIDED
            self.voided_by = event.by
        elif isinstance(event, SaleCompleted):
            self.status = SaleStatus.COMPLETED
            self.completion = event
            outcome = event.receipt_number
        elif isinstance(event, SaleReturnRecorded):
            self._apply_return(event)
            outcome = event.return_id
        command_id = getattr(event, "command_id", None)
        if isinstance(command_id, str):
            self._outcomes[command_id] = outcome

    def _apply_return(self, event: SaleReturnRecorded) -> None:
        self.return_ids.add(event.return_id)
        for line in event.lines:
            if line.line_id is None:
                continue
            before = self.returned.get(line.line_id, Returned())
            self.returned[line.line_id] = Returned(
                before.quantity + line.quantity, before.tax + line.tax, before.gross + line.gross
            )
        self.card_refunded += sum(
            (r.amount for r in event.tender_refunds if r.kind is TenderKind.CARD), ZERO
        )

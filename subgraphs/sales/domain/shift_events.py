"""Events of cash shifts and of the one-open-shift-per-register guard (`pos.sales`)."""

from __future__ import annotations

from decimal import Decimal

from eventbus import event
from subgraphs.sales.domain.cash import CashCount
from subgraphs.sales.domain.events import SalesEvent
from subgraphs.sales.domain.shift_report import ShiftReport


class ShiftEvent(SalesEvent):
    shift_id: str


@event("pos.sales.ShiftOpened")
class ShiftOpened(ShiftEvent):
    register_id: str
    store_id: str
    currency: str
    opening_float: CashCount


@event("pos.sales.CashMovementRecorded")
class CashMovementRecorded(ShiftEvent):
    """A cash drop (to the safe), a pay-in or a pay-out, with its reason."""

    kind: str
    amount: Decimal
    reason: str


@event("pos.sales.SaleOpenedOnShift")
class SaleOpenedOnShift(ShiftEvent):
    sale_id: str


@event("pos.sales.SaleRecordedOnShift")
class SaleRecordedOnShift(ShiftEvent):
    """A completed sale's money: cash handed over, change given back, cards charged."""

    sale_id: str
    cash_tendered: Decimal
    change: Decimal
    card: Decimal


@event("pos.sales.SaleVoidedOnShift")
class SaleVoidedOnShift(ShiftEvent):
    sale_id: str


@event("pos.sales.RefundRecordedOnShift")
class RefundRecordedOnShift(ShiftEvent):
    return_id: str
    cash: Decimal
    card: Decimal


@event("pos.sales.XReportTaken")
class XReportTaken(ShiftEvent):
    report: ShiftReport


@event("pos.sales.ShiftClosed")
class ShiftClosed(ShiftEvent):
    """The Z report: expected against counted per tender, over/short."""

    report: ShiftReport


@event("pos.sales.RegisterShiftClaimed")
class RegisterShiftClaimed(SalesEvent):
    register_id: str
    shift_id: str


@event("pos.sales.RegisterShiftReleased")
class RegisterShiftReleased(SalesEvent):
    register_id: str
    shift_id: str

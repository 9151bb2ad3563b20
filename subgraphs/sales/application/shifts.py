"""Shift commands: open (claiming the register), cash movements, X report, close (Z)."""

from __future__ import annotations

from eventbus import Conflict
from subgraphs.hosting.commands import Handled
from subgraphs.sales.application.base import (
    HandlersBase,
    cash_count,
    derived_id,
    money_of,
    parse_choice,
)
from subgraphs.sales.application.commands import CloseShift, MoveCash, OpenShift, TakeXReport
from subgraphs.sales.domain import (
    MovementKind,
    RegisterShiftClaim,
    Shift,
    ShiftReport,
    register_claim_id,
)


class ShiftHandlers(HandlersBase):
    async def open_shift(self, command: OpenShift) -> Handled[Shift]:
        """Claim the register and open its shift with the counted float, together."""
        shift_id = derived_id("shift", command.command_id)
        existing = await self.shifts.get(shift_id)
        if existing is not None:
            return Handled(existing)
        register, store = await self._register(command.register_id)
        opening = cash_count(
            store.currency, command.float_total, command.float_denominations, "openingFloat"
        )
        now = self.clock()
        claim = await self.claims.get(
            register_claim_id(register.register_id)
        ) or RegisterShiftClaim.for_register(register.register_id)
        claim.claim(shift_id, by=command.by, now=now, command_id=command.command_id)
        shift = Shift.open(
            shift_id,
            register_id=register.register_id,
            store_id=store.store_id,
            currency=store.currency,
            opening_float=opening,
            by=command.by,
            now=now,
            command_id=command.command_id,
        )
        async with self.store.unit_of_work() as uow:
            envelopes = await self.claims.save(claim, uow=uow)
            envelopes += await self.shifts.save(shift, uow=uow)
        return Handled(shift, envelopes)

    async def move_cash(self, command: MoveCash) -> Handled[Shift]:
        """A cash drop, pay-in or pay-out, with its reason."""
        kind = parse_choice(MovementKind, command.kind, "kind")
        shift = await self._shift(command.shift_id)
        shift.move_cash(
            kind,
            money_of(command.amount, "amount"),
            command.reason,
            by=command.by,
            now=self.clock(),
            command_id=command.command_id,
        )
        return Handled(shift, await self.shifts.save(shift))

    async def take_x_report(self, command: TakeXReport) -> Handled[tuple[Shift, ShiftReport]]:
        shift = await self._shift(command.shift_id)
        report = shift.x_report(by=command.by, now=self.clock(), command_id=command.command_id)
        return Handled((shift, report), await self.shifts.save(shift))

    async def close_shift(self, command: CloseShift) -> Handled[tuple[Shift, ShiftReport]]:
        """The Z report; releases the register's claim in the same unit of work."""
        shift = await self._shift(command.shift_id)
        counted = cash_count(
            shift.currency,
            command.counted_total,
            command.counted_denominations,
            "countedCash",
        )
        card = money_of(command.counted_card, "countedCard") if command.counted_card else None
        now = self.clock()
        report = shift.close(
            counted, by=command.by, now=now, command_id=command.command_id, counted_card=card
        )
        claim = await self.claims.get(register_claim_id(shift.register_id))
        if claim is None:  # pragma: no cover - a shift is always opened with its claim
            raise Conflict(
                f"register {shift.register_id} has no shift claim", reason="NO_SHIFT_CLAIM"
            )
        claim.release(shift.id, by=command.by, now=now, command_id=command.command_id)
        async with self.store.unit_of_work() as uow:
            envelopes = await self.shifts.save(shift, uow=uow)
            envelopes += await self.claims.save(claim, uow=uow)
        return Handled((shift, report), envelopes)

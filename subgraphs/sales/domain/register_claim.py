"""One open shift per register: the register's shift claim, its own stream.

Opening a shift claims the register (`claim`) in the same unit of work as
`ShiftOpened`; closing releases it with `ShiftClosed`. Two supervisors opening a shift
at one register at the same moment both expect the claim's current version: one wins,
the other's retry sees the claim and is told which shift is open. A claim in this
context (not a field on the stores context's Register) keeps the shift rules, which
are sales rules, out of the stores context, and needs no call across contexts.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import NAMESPACE_URL, uuid5

from eventbus import Aggregate, DomainEvent
from subgraphs.sales.domain.errors import StateConflict
from subgraphs.sales.domain.shift_events import RegisterShiftClaimed, RegisterShiftReleased

_NAMESPACE = uuid5(NAMESPACE_URL, "pos:sales:register-shifts")


def register_claim_id(register_id: str) -> str:
    return str(uuid5(_NAMESPACE, register_id))


class RegisterShiftClaim(Aggregate):
    context: ClassVar[str] = "sales"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.register_id = ""
        self.open_shift_id: str | None = None

    @classmethod
    def for_register(cls, register_id: str) -> RegisterShiftClaim:
        claim = cls(register_claim_id(register_id))
        claim.register_id = register_id
        return claim

    def claim(self, shift_id: str, *, by: str, now: datetime, command_id: str) -> None:
        if self.open_shift_id == shift_id:
            return
        if self.open_shift_id is not None:
            raise StateConflict(
                f"register {self.register_id} already has an open shift "
                f"({self.open_shift_id}): close it first",
                reason="REGISTER_HAS_OPEN_SHIFT",
                shift=self.open_shift_id,
            )
        self._record(
            RegisterShiftClaimed(
                command_id=command_id,
                by=by,
                at=now,
                register_id=self.register_id,
                shift_id=shift_id,
            )
        )

    def release(self, shift_id: str, *, by: str, now: datetime, command_id: str) -> None:
        if self.open_shift_id != shift_id:
            return
        self._record(
            RegisterShiftReleased(
                command_id=command_id,
                by=by,
                at=now,
                register_id=self.register_id,
                shift_id=shift_id,
            )
        )

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, RegisterShiftClaimed):
            self.register_id, self.open_shift_id = event.register_id, event.shift_id
        elif isinstance(event, RegisterShiftReleased):
            self.register_id, self.open_shift_id = event.register_id, None

"""What every sales handler shares: the repositories, the directory of other contexts'
data, the clock, and the conversions of a till's input into domain values.

Every input is parsed before anything is appended, and every aggregate a command changes
is saved in one unit of work, so a refused command writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar
from uuid import NAMESPACE_URL, uuid5

from eventbus import EventStore, NotFound
from eventbus.repository import EventSourcedRepository
from subgraphs.sales.application.commands import Amount
from subgraphs.sales.application.ports import (
    Clock,
    Directory,
    RegisterInfo,
    StoreInfo,
    utcnow,
)
from subgraphs.sales.domain import (
    CashCount,
    Money,
    Promotion,
    ReceiptSequence,
    RegisterShiftClaim,
    Sale,
    SaleInputError,
    SaleReturn,
    Shift,
    StateConflict,
    count_cash,
    register_claim_id,
)

E = TypeVar("E", bound=StrEnum)
_NAMESPACE = uuid5(NAMESPACE_URL, "pos:sales:commands")
ID_MAX = 100

APPROVE_DISCOUNTS = "discounts:approve"
VOID = "sales:void"
REFUNDS = "refunds:write"


def derived_id(kind: str, command_id: str) -> str:
    """The id of what a command creates (a sale, a shift, a return): a retry of the
    same command names the same stream, so it finds what the first attempt made."""
    return str(uuid5(_NAMESPACE, f"{kind}:{command_id}"))


def parse_ref(value: str, field: str) -> str:
    text = value.strip()
    if not text or len(text) > ID_MAX:
        raise SaleInputError(
            f"{field} must be 1 to {ID_MAX} characters", reason="INVALID_ID", field=field
        )
    return text


def decimal_of(value: str, field: str) -> Decimal:
    """A decimal string from a till (range and places are the domain's checks)."""
    try:
        number = Decimal(value.strip()) if len(value) <= 40 else Decimal("NaN")
    except (InvalidOperation, AttributeError):
        number = Decimal("NaN")
    if not number.is_finite():
        raise SaleInputError(
            f"{field} {value[:40]!r} is not a decimal number (e.g. 12.50)",
            reason="INVALID_AMOUNT",
            field=field,
        )
    return number


def money_of(given: Amount, field: str) -> Money:
    return Money(decimal_of(given.amount, field), given.currency.strip().upper())


def parse_choice(kind: type[E], value: str, field: str) -> E:
    try:
        return kind(value.strip().upper())
    except ValueError:
        known = ", ".join(k.value for k in kind)
        raise SaleInputError(
            f"{field} {value[:30]!r} is not one of {known}", reason="INVALID_CHOICE", field=field
        ) from None


def cash_count(
    currency: str, total: Amount | None, denominations: Mapping[str, int] | None, field: str
) -> CashCount:
    faces = (
        {decimal_of(face, f"{field}.denomination"): n for face, n in denominations.items()}
        if denominations is not None
        else None
    )
    return count_cash(
        currency,
        total=money_of(total, f"{field}.total") if total is not None else None,
        denominations=faces,
        field=field,
    )


class HandlersBase:
    def __init__(self, store: EventStore, directory: Directory, clock: Clock = utcnow) -> None:
        self.store = store
        self.directory = directory
        self.clock = clock
        self.sales = EventSourcedRepository(store, Sale)
        self.shifts = EventSourcedRepository(store, Shift)
        self.claims = EventSourcedRepository(store, RegisterShiftClaim)
        self.sequences = EventSourcedRepository(
            store, ReceiptSequence, snapshot_every=ReceiptSequence.snapshot_every
        )
        self.promotions = EventSourcedRepository(store, Promotion)
        self.returns = EventSourcedRepository(store, SaleReturn)

    async def _sale(self, sale_id: str) -> Sale:
        sale = await self.sales.get(parse_ref(sale_id, "saleId"))
        if sale is None:
            raise NotFound(
                f"there is no sale {sale_id[:40]!r}", field="saleId", reason="UNKNOWN_SALE"
            )
        return sale

    async def _shift(self, shift_id: str, field: str = "shiftId") -> Shift:
        shift = await self.shifts.get(parse_ref(shift_id, field))
        if shift is None:
            raise NotFound(
                f"there is no shift {shift_id[:40]!r}", field=field, reason="UNKNOWN_SHIFT"
            )
        return shift

    async def _register(self, register_id: str) -> tuple[RegisterInfo, StoreInfo]:
        """An active register of an open store (as the stores context published them)."""
        register = await self.directory.register(parse_ref(register_id, "registerId"))
        if register is None:
            raise NotFound(
                f"there is no register {register_id[:40]!r}",
                field="registerId",
                reason="UNKNOWN_REGISTER",
            )
        store = await self.directory.store(register.store_id)
        if store is None:
            raise NotFound(
                f"register {register.code}'s store is not known",
                field="registerId",
                reason="UNKNOWN_STORE",
            )
        if not register.active or not store.active:
            raise StateConflict(
                f"register {register.code} of store {store.code} is not in use",
                reason="REGISTER_INACTIVE",
                field="registerId",
            )
        return register, store

    async def _open_shift_of(self, register_id: str) -> Shift:
        """The register's open shift (from its claim: the write model, no lag)."""
        claim = await self.claims.get(register_claim_id(register_id))
        if claim is None or claim.open_shift_id is None:
            raise StateConflict(
                "this register has no open shift: open one with the counted float first",
                reason="SHIFT_NOT_OPEN",
                field="registerId",
            )
        return await self._shift(claim.open_shift_id)

    async def _store_of(self, sale: Sale) -> StoreInfo:
        store = await self.directory.store(sale.store_id)
        if store is None:
            raise NotFound(
                f"the store of sale {sale.id} is not known", field="saleId", reason="UNKNOWN_STORE"
            )
        return store

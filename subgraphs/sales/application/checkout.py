"""Paying, completing and voiding a sale; creating promotions.

Completing is one unit of work over three streams: the register's `ReceiptSequence`
(the next number), the `Sale` (SaleCompleted with every figure) and the `Shift` (the
sale's money). Two tills of one register completing at once both expect the sequence's
version: one wins, the other's whole handler runs again (`execute` retries) and takes
the next number, so numbers have no gaps and none is shared.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventbus import Conflict
from subgraphs.hosting.commands import Handled
from subgraphs.sales.application.base import (
    VOID,
    HandlersBase,
    decimal_of,
    money_of,
    parse_choice,
)
from subgraphs.sales.application.commands import (
    AddTender,
    CreatePromotion,
    SaleCommand,
    VoidSale,
)
from subgraphs.sales.domain import (
    ApprovalRequired,
    DiscountKind,
    Money,
    Promotion,
    ReceiptSequence,
    Sale,
    SaleInputError,
    TenderKind,
    promotion_id,
    receipt_sequence_id,
)
from subgraphs.sales.domain.events import SaleCompleted


@dataclass(frozen=True)
class Completion:
    sale: Sale
    completed: SaleCompleted


class CheckoutHandlers(HandlersBase):
    async def add_tender(self, command: AddTender) -> Handled[Sale]:
        kind = parse_choice(TenderKind, command.kind, "kind")
        amount = money_of(command.amount, "amount")
        sale = await self._sale(command.sale_id)
        sale.add_tender(
            kind,
            amount,
            by=command.by,
            now=self.clock(),
            command_id=command.command_id,
            reference=command.reference,
        )
        return Handled(sale, await self.sales.save(sale))

    async def complete(self, command: SaleCommand) -> Handled[Completion]:
        sale = await self._sale(command.sale_id)
        now = self.clock()
        sequence = await self.sequences.get(
            receipt_sequence_id(sale.register_id)
        ) or ReceiptSequence.for_register(sale.register_id)
        if sale.already_applied(command.command_id) and sale.completion is not None:
            return Handled(Completion(sale, sale.completion))
        register = await self.directory.register(sale.register_id)
        store = await self._store_of(sale)
        if register is None:
            raise Conflict(
                f"register {sale.register_id} is not known",
                field="saleId",
                reason="UNKNOWN_REGISTER",
            )
        shift = await self._shift(sale.shift_id, "saleId")
        number = sequence.take(
            sale.id,
            store_code=store.code,
            register_code=register.code,
            by=command.by,
            now=now,
            command_id=command.command_id,
        )
        completed = sale.complete(number, by=command.by, now=now, command_id=command.command_id)
        settlement = completed.settlement
        shift.record_sale(
            sale.id,
            cash_tendered=settlement.cash,
            change=settlement.change,
            card=settlement.card,
            by=command.by,
            now=now,
            command_id=command.command_id,
        )
        async with self.store.unit_of_work() as uow:
            envelopes = await self.sequences.save(sequence, uow=uow)
            envelopes += await self.sales.save(sale, uow=uow)
            envelopes += await self.shifts.save(shift, uow=uow)
        return Handled(Completion(sale, completed), envelopes)

    async def void(self, command: VoidSale) -> Handled[Sale]:
        """With tenders taken, the voider needs `sales:void`; the shift and any
        promotion the sale redeemed are updated in the same transaction."""
        sale = await self._sale(command.sale_id)
        if sale.already_applied(command.command_id):
            return Handled(sale)
        if sale.void_needs_scope and VOID not in command.scopes:
            raise ApprovalRequired(
                "this sale has taken a payment: voiding it needs a supervisor (sales:void)",
                reason="VOID_NEEDS_SUPERVISOR",
            )
        now = self.clock()
        codes = [d.promotion_code for d in sale.discounts.values() if d.promotion_code]
        sale.void(command.reason, by=command.by, now=now, command_id=command.command_id)
        shift = await self._shift(sale.shift_id, "saleId")
        shift.record_void(sale.id, by=command.by, now=now, command_id=command.command_id)
        promotions: list[Promotion] = []
        for code in codes:
            promotion = await self.promotions.get(promotion_id(code))
            if promotion is not None:
                promotion.release(sale.id, by=command.by, now=now, command_id=command.command_id)
                promotions.append(promotion)
        async with self.store.unit_of_work() as uow:
            envelopes = await self.sales.save(sale, uow=uow)
            envelopes += await self.shifts.save(shift, uow=uow)
            for promotion in promotions:
                envelopes += await self.promotions.save(promotion, uow=uow)
        return Handled(sale, envelopes)

    async def create_promotion(self, command: CreatePromotion) -> Handled[Promotion]:
        kind = parse_choice(DiscountKind, command.kind, "kind")
        value: Money | None = None
        if kind is DiscountKind.AMOUNT:
            if command.amount is None:
                raise SaleInputError(
                    "an AMOUNT promotion needs `amount`", reason="INVALID_DISCOUNT", field="amount"
                )
            value = money_of(command.amount, "amount")
        elif command.percent is None:
            raise SaleInputError(
                "a PERCENT promotion needs `percent`", reason="INVALID_DISCOUNT", field="percent"
            )
        promotion = Promotion.create(
            command.code,
            kind=kind,
            value=value if value is not None else decimal_of(command.percent or "", "percent"),
            valid_from=command.valid_from,
            valid_until=command.valid_until,
            usage_limit=command.usage_limit,
            by=command.by,
            now=self.clock(),
            command_id=command.command_id,
        )
        existing = await self.promotions.get(promotion.id)
        if existing is not None:
            if await self._created_by(existing, command.command_id):
                return Handled(existing)
            raise Conflict(
                f"promotion {existing.code} exists already",
                field="code",
                reason="PROMOTION_EXISTS",
            )
        return Handled(promotion, await self.promotions.save(promotion))

    async def _created_by(self, promotion: Promotion, command_id: str) -> bool:
        first = await self.store.read_stream(promotion.id, 1)
        return bool(first) and first[0].data.get("command_id") == command_id

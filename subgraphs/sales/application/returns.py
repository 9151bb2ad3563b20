"""Returns against a receipt: the original sale (authority on what is still
returnable), the return document and the refund on the shift of the register where the
goods come back, in one unit of work. A retried return command finds its return (its id
derives from the command id) instead of building another.

Approval is the caller's: within the store's return window any cashier returns a
receipt's lines; past it, or without a receipt, the caller must hold `refunds:write`
(a supervisor sends the command with their own token) and is recorded as the approver.
"""

from __future__ import annotations

from datetime import datetime

from eventbus import NotFound
from subgraphs.hosting.commands import Handled
from subgraphs.sales.application.base import (
    REFUNDS,
    HandlersBase,
    derived_id,
    parse_choice,
    parse_ref,
)
from subgraphs.sales.application.commands import ReturnSale, ReturnWithoutReceipt
from subgraphs.sales.domain import (
    Counter,
    Disposition,
    Money,
    RefundMethod,
    ReturnItem,
    SaleReturn,
    Shift,
    TenderKind,
    UnreceiptedItem,
)


class ReturnHandlers(HandlersBase):
    async def return_sale(self, command: ReturnSale) -> Handled[SaleReturn]:
        method = parse_choice(RefundMethod, command.refund_method, "refundMethod")
        items = [
            ReturnItem(
                parse_ref(line.line_id, "lineId").upper(),
                line.quantity,
                parse_choice(Disposition, line.disposition, "disposition"),
            )
            for line in command.lines
        ]
        return_id = derived_id("return", command.command_id)
        sale = await self._sale(command.sale_id)
        if sale.already_applied(command.command_id):
            return Handled(await self.returns.load(return_id))
        register, _ = await self._register(command.register_id)
        shift = await self._open_shift_of(register.register_id)
        store = await self._store_of(sale)
        now = self.clock()
        document = SaleReturn.against_receipt(
            return_id,
            sale,
            items,
            at=Counter(register.store_id, register.register_id, shift.id),
            refund_method=method,
            return_window_days=store.return_window_days,
            reason=command.reason,
            by=command.by,
            now=now,
            command_id=command.command_id,
            approved_by=command.by if REFUNDS in command.scopes else None,
        )
        self._refund_on(shift, document, command.by, now, command.command_id)
        async with self.store.unit_of_work() as uow:
            envelopes = await self.sales.save(sale, uow=uow)
            envelopes += await self.returns.save(document, uow=uow)
            envelopes += await self.shifts.save(shift, uow=uow)
        return Handled(document, envelopes)

    async def return_without_receipt(self, command: ReturnWithoutReceipt) -> Handled[SaleReturn]:
        """Refunded in cash at the product's shelf price today (the catalog's)."""
        return_id = derived_id("return", command.command_id)
        existing = await self.returns.get(return_id)
        if existing is not None:
            return Handled(existing)
        register, store = await self._register(command.register_id)
        items: list[UnreceiptedItem] = []
        for line in command.lines:
            product = await self.directory.product(parse_ref(line.product_id, "productId"))
            if product is None:
                raise NotFound(
                    f"there is no product {line.product_id[:40]!r}",
                    field="productId",
                    reason="UNKNOWN_PRODUCT",
                )
            items.append(
                UnreceiptedItem(
                    product_id=product.product_id,
                    sku=product.sku,
                    name=product.name,
                    tax_class=product.tax_class,
                    unit_price=Money(product.unit_price, product.currency),
                    quantity=line.quantity,
                    disposition=parse_choice(Disposition, line.disposition, "disposition"),
                )
            )
        shift = await self._open_shift_of(register.register_id)
        now = self.clock()
        document = SaleReturn.without_receipt(
            return_id,
            items,
            at=Counter(store.store_id, register.register_id, shift.id),
            currency=store.currency,
            tax_table=store.tax_table,
            policy=store.policy,
            reason=command.reason,
            approved_by=command.by if REFUNDS in command.scopes else None,
            by=command.by,
            now=now,
            command_id=command.command_id,
        )
        self._refund_on(shift, document, command.by, now, command.command_id)
        async with self.store.unit_of_work() as uow:
            envelopes = await self.returns.save(document, uow=uow)
            envelopes += await self.shifts.save(shift, uow=uow)
        return Handled(document, envelopes)

    @staticmethod
    def _refund_on(
        shift: Shift, document: SaleReturn, by: str, now: datetime, command_id: str
    ) -> None:
        """The refund leaves the drawer of the shift where the goods come back."""
        shift.record_refund(
            document.id,
            cash=document.refunded_by(TenderKind.CASH),
            card=document.refunded_by(TenderKind.CARD),
            by=by,
            now=now,
            command_id=command_id,
        )

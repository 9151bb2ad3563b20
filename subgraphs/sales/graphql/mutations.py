"""Sales mutations: one per command, each with the till's `commandId`.

A retry with the same `commandId` (after a timeout, or replaying an offline queue)
returns the first outcome and writes nothing new. Payloads come from the read model
once it shows the change, else from the write model (`read_your_writes`).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TypeVar

import strawberry
from strawberry import federation
from strawberry.types import Info

from eventbus import NotFound
from subgraphs.hosting.commands import READ_YOUR_WRITES_TIMEOUT, Executed, read_your_writes
from subgraphs.hosting.schema import runtime_of
from subgraphs.sales.application import (
    AddSaleLine,
    AddTender,
    ApplyDiscount,
    AttachCustomer,
    ChangeLineQuantity,
    CloseShift,
    Completion,
    CreatePromotion,
    MoveCash,
    OpenShift,
    RedeemPromotion,
    RemoveDiscount,
    RemoveLine,
    ReturnSale,
    ReturnWithoutReceipt,
    SaleCommand,
    StartSale,
    TakeXReport,
    UnreceiptedLineInput,
    VoidSale,
)
from subgraphs.sales.application import (
    ReturnLineInput as ReturnLine,
)
from subgraphs.sales.domain import Sale as SaleAggregate
from subgraphs.sales.domain import SaleInputError, ShiftReport
from subgraphs.sales.domain import SaleReturn as SaleReturnAggregate
from subgraphs.sales.domain import Shift as ShiftAggregate
from subgraphs.sales.graphql.caller import PROMOTIONS, REFUNDS, WRITE, require_scope
from subgraphs.sales.graphql.inputs import (
    CashCountInput,
    CashMovementKind,
    MoneyInput,
    RefundMethod,
    ReturnLineInput,
    UnreceiptedItemInput,
    amount_of,
)
from subgraphs.sales.graphql.runtime import SalesRuntime
from subgraphs.sales.graphql.sale_types import DiscountType, Sale, TenderKind
from subgraphs.sales.graphql.types import (
    Promotion,
    SaleCompletion,
    SaleReturn,
    Shift,
    ShiftReportType,
)
from subgraphs.sales.graphql.views import receipt_number_of, shift_from_view
from subgraphs.sales.projections import SaleView, ShiftView

_WRITE = [[WRITE]]
V = TypeVar("V", SaleView, ShiftView)


def _runtime(info: Info) -> SalesRuntime:
    return runtime_of(info, SalesRuntime)


async def _current(model: type[V], aggregate: SaleAggregate | ShiftAggregate) -> V | None:
    """The view once it shows the aggregate's version. A retried command writes nothing,
    and its first attempt's events may not have reached the view yet: wait for them
    (bounded), so a retry answers what the first attempt answered."""
    deadline = asyncio.get_running_loop().time() + READ_YOUR_WRITES_TIMEOUT
    while True:
        view = await model.get(aggregate.id)
        if view is not None and view.applied.get(aggregate.id, 0) >= aggregate.version:
            return view
        if asyncio.get_running_loop().time() > deadline:
            return None
        await asyncio.sleep(0.02)


async def _sale(executed: Executed[SaleAggregate]) -> Sale:
    return await read_your_writes(
        executed, lambda s: _current(SaleView, s), Sale.from_view, Sale.from_aggregate
    )


async def _shift(info: Info, executed: Executed[ShiftAggregate]) -> Shift:
    now = _runtime(info).clock()
    return await read_your_writes(
        executed,
        lambda s: _current(ShiftView, s),
        shift_from_view,
        lambda s: Shift.from_aggregate(s, now=now),
    )


def _report(executed: Executed[tuple[ShiftAggregate, ShiftReport]]) -> ShiftReportType:
    return ShiftReportType.of(executed.value[1])


async def _sale_id(info: Info, sale_id: strawberry.ID | None, receipt: str | None) -> str:
    """The sale a return names: by id, or by its receipt number (what the slip shows)."""
    if (sale_id is None) == (receipt is None):
        raise SaleInputError(
            "name the sale by exactly one of saleId or receiptNumber",
            reason="ONE_SALE_KEY",
            field="saleId",
        )
    if sale_id is not None:
        return str(sale_id)
    number = receipt_number_of(receipt or "")
    view = await SaleView.find_one({"receipt_number": number})
    if view is None:
        raise NotFound(
            f"there is no receipt {number}", field="receiptNumber", reason="UNKNOWN_RECEIPT"
        )
    return view.id


@strawberry.type
class Mutation:
    # -- shifts -----------------------------------------------------------------------

    @federation.mutation(
        requires_scopes=_WRITE,
        description="Open the register's shift with the counted float (one open shift per "
        "register: CONFLICT REGISTER_HAS_OPEN_SHIFT).",
    )
    async def open_shift(
        self,
        info: Info,
        command_id: strawberry.ID,
        register_id: strawberry.ID,
        opening_float: CashCountInput,
    ) -> Shift:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = OpenShift(
            **caller.meta(command_id),
            register_id=register_id,
            float_total=amount_of(opening_float.total),
            float_denominations=opening_float.faces(),
        )
        return await _shift(info, await runtime.run(runtime.handlers.open_shift, command))

    @federation.mutation(
        requires_scopes=_WRITE,
        description="A cash drop to the safe, a pay-in or a pay-out, with its reason.",
    )
    async def record_cash_movement(
        self,
        info: Info,
        command_id: strawberry.ID,
        shift_id: strawberry.ID,
        kind: CashMovementKind,
        amount: MoneyInput,
        reason: str,
    ) -> Shift:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = MoveCash(
            **caller.meta(command_id),
            shift_id=shift_id,
            kind=kind.value,
            amount=amount.command(),
            reason=reason,
        )
        return await _shift(info, await runtime.run(runtime.handlers.move_cash, command))

    @federation.mutation(
        requires_scopes=_WRITE, description="The X report: mid-shift figures, changes nothing."
    )
    async def take_x_report(
        self, info: Info, command_id: strawberry.ID, shift_id: strawberry.ID
    ) -> ShiftReportType:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = TakeXReport(**caller.meta(command_id), shift_id=shift_id)
        return _report(await runtime.run(runtime.handlers.take_x_report, command))

    @federation.mutation(
        requires_scopes=_WRITE,
        description="Close the shift with the counted cash (and the card terminal's batch "
        "total; omitted: as expected): the Z report. Refused while a sale is open or parked.",
    )
    async def close_shift(
        self,
        info: Info,
        command_id: strawberry.ID,
        shift_id: strawberry.ID,
        counted_cash: CashCountInput,
        counted_card: MoneyInput | None = None,
    ) -> ShiftReportType:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = CloseShift(
            **caller.meta(command_id),
            shift_id=shift_id,
            counted_total=amount_of(counted_cash.total),
            counted_denominations=counted_cash.faces(),
            counted_card=amount_of(counted_card),
        )
        return _report(await runtime.run(runtime.handlers.close_shift, command))

    # -- the basket -------------------------------------------------------------------

    @federation.mutation(
        requires_scopes=_WRITE,
        description="A walk-in sale at the register, on its open shift, with the store's "
        "taxes and rounding.",
    )
    async def start_sale(
        self, info: Info, command_id: strawberry.ID, register_id: strawberry.ID
    ) -> Sale:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = StartSale(**caller.meta(command_id), register_id=register_id)
        return await _sale(await runtime.run(runtime.handlers.start_sale, command))

    @federation.mutation(
        requires_scopes=_WRITE,
        description="Add a product by exactly one of productId, sku or barcode (EAN-13 or "
        "UPC-A, check digit validated).",
    )
    async def add_sale_line(
        self,
        info: Info,
        command_id: strawberry.ID,
        sale_id: strawberry.ID,
        product_id: strawberry.ID | None = None,
        sku: str | None = None,
        barcode: str | None = None,
        quantity: int = 1,
    ) -> Sale:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = AddSaleLine(
            **caller.meta(command_id),
            sale_id=sale_id,
            product_id=product_id,
            sku=sku,
            barcode=barcode,
            quantity=quantity,
        )
        return await _sale(await runtime.run(runtime.handlers.add_line, command))

    @federation.mutation(requires_scopes=_WRITE)
    async def change_line_quantity(
        self,
        info: Info,
        command_id: strawberry.ID,
        sale_id: strawberry.ID,
        line_id: strawberry.ID,
        quantity: int,
    ) -> Sale:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = ChangeLineQuantity(
            **caller.meta(command_id), sale_id=sale_id, line_id=line_id, quantity=quantity
        )
        return await _sale(await runtime.run(runtime.handlers.change_quantity, command))

    @federation.mutation(requires_scopes=_WRITE)
    async def remove_sale_line(
        self, info: Info, command_id: strawberry.ID, sale_id: strawberry.ID, line_id: strawberry.ID
    ) -> Sale:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = RemoveLine(**caller.meta(command_id), sale_id=sale_id, line_id=line_id)
        return await _sale(await runtime.run(runtime.handlers.remove_line, command))

    @federation.mutation(
        requires_scopes=_WRITE,
        description="A discount on a line (`lineId`) or the whole sale, PERCENT (`percent`) "
        "or AMOUNT (`amount`), with a reason. Past the store's threshold the caller must "
        "hold discounts:approve (FORBIDDEN DISCOUNT_NEEDS_APPROVAL otherwise): a "
        "supervisor sends this command with their own token, and is the approver.",
    )
    async def apply_discount(
        self,
        info: Info,
        command_id: strawberry.ID,
        sale_id: strawberry.ID,
        kind: DiscountType,
        reason: str,
        line_id: strawberry.ID | None = None,
        percent: str | None = None,
        amount: MoneyInput | None = None,
    ) -> Sale:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = ApplyDiscount(
            **caller.meta(command_id),
            sale_id=sale_id,
            kind=kind.value,
            reason=reason,
            line_id=line_id,
            percent=percent,
            amount=amount_of(amount),
        )
        return await _sale(await runtime.run(runtime.handlers.apply_discount, command))

    @federation.mutation(requires_scopes=_WRITE)
    async def remove_discount(
        self,
        info: Info,
        command_id: strawberry.ID,
        sale_id: strawberry.ID,
        discount_id: strawberry.ID,
    ) -> Sale:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = RemoveDiscount(
            **caller.meta(command_id), sale_id=sale_id, discount_id=discount_id
        )
        return await _sale(await runtime.run(runtime.handlers.remove_discount, command))

    @federation.mutation(
        requires_scopes=_WRITE,
        description="Redeem a promotion code on the sale (or one line): within its window "
        "and usage limit; no approval needed.",
    )
    async def redeem_promotion(
        self,
        info: Info,
        command_id: strawberry.ID,
        sale_id: strawberry.ID,
        code: str,
        line_id: strawberry.ID | None = None,
    ) -> Sale:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = RedeemPromotion(
            **caller.meta(command_id), sale_id=sale_id, code=code, line_id=line_id
        )
        return await _sale(await runtime.run(runtime.handlers.redeem_promotion, command))

    @federation.mutation(requires_scopes=_WRITE, description="Attach a registered customer.")
    async def attach_customer(
        self,
        info: Info,
        command_id: strawberry.ID,
        sale_id: strawberry.ID,
        customer_id: strawberry.ID,
    ) -> Sale:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = AttachCustomer(
            **caller.meta(command_id), sale_id=sale_id, customer_id=customer_id
        )
        return await _sale(await runtime.run(runtime.handlers.attach_customer, command))

    @federation.mutation(requires_scopes=_WRITE, description="Back to a walk-in sale.")
    async def detach_customer(
        self, info: Info, command_id: strawberry.ID, sale_id: strawberry.ID
    ) -> Sale:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = SaleCommand(**caller.meta(command_id), sale_id=sale_id)
        return await _sale(await runtime.run(runtime.handlers.detach_customer, command))

    @federation.mutation(
        requires_scopes=_WRITE, description="Put the sale aside (no tenders yet) to serve another."
    )
    async def park_sale(
        self, info: Info, command_id: strawberry.ID, sale_id: strawberry.ID
    ) -> Sale:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = SaleCommand(**caller.meta(command_id), sale_id=sale_id)
        return await _sale(await runtime.run(runtime.handlers.park, command))

    @federation.mutation(requires_scopes=_WRITE)
    async def resume_sale(
        self, info: Info, command_id: strawberry.ID, sale_id: strawberry.ID
    ) -> Sale:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = SaleCommand(**caller.meta(command_id), sale_id=sale_id)
        return await _sale(await runtime.run(runtime.handlers.resume, command))

    @federation.mutation(
        requires_scopes=_WRITE,
        description="Void the sale with a reason; once a tender was taken the caller must "
        "hold sales:void (a supervisor's token).",
    )
    async def void_sale(
        self, info: Info, command_id: strawberry.ID, sale_id: strawberry.ID, reason: str
    ) -> Sale:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = VoidSale(**caller.meta(command_id), sale_id=sale_id, reason=reason)
        return await _sale(await runtime.run(runtime.handlers.void, command))

    # -- payment ----------------------------------------------------------------------

    @federation.mutation(
        requires_scopes=_WRITE,
        description="CASH: what the customer handed over (change is worked out at "
        "completion); CARD: what the terminal charged (at most the balance), `reference` "
        "its reference. Split payments: one tender after another until the balance is 0.",
    )
    async def add_tender(
        self,
        info: Info,
        command_id: strawberry.ID,
        sale_id: strawberry.ID,
        kind: TenderKind,
        amount: MoneyInput,
        reference: str | None = None,
    ) -> Sale:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = AddTender(
            **caller.meta(command_id),
            sale_id=sale_id,
            kind=kind.value,
            amount=amount.command(),
            reference=reference,
        )
        return await _sale(await runtime.run(runtime.handlers.add_tender, command))

    @federation.mutation(
        requires_scopes=_WRITE,
        description="Complete a paid sale: its receipt number (gap-free per register), the "
        "goods out of the store's stock, and the receipt.",
    )
    async def complete_sale(
        self, info: Info, command_id: strawberry.ID, sale_id: strawberry.ID
    ) -> SaleCompletion:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = SaleCommand(**caller.meta(command_id), sale_id=sale_id)
        executed: Executed[Completion] = await runtime.run(runtime.handlers.complete, command)
        sale = await _sale(Executed(executed.value.sale, executed.envelopes, executed.caught_up))
        return await SaleCompletion.of(info, sale)

    # -- returns ----------------------------------------------------------------------

    @federation.mutation(
        requires_scopes=_WRITE,
        description="Return lines of a receipt (by saleId or receiptNumber) at this "
        "register, partly or fully, never more than sold; restock or write off per line. "
        "Past the store's return window the caller must hold refunds:write. An exchange "
        "is a return plus a new sale.",
    )
    async def return_sale(
        self,
        info: Info,
        command_id: strawberry.ID,
        register_id: strawberry.ID,
        lines: list[ReturnLineInput],
        reason: str,
        sale_id: strawberry.ID | None = None,
        receipt_number: str | None = None,
        refund_method: RefundMethod = RefundMethod.ORIGINAL,
    ) -> SaleReturn:
        caller = require_scope(info, WRITE)
        runtime = _runtime(info)
        command = ReturnSale(
            **caller.meta(command_id),
            sale_id=await _sale_id(info, sale_id, receipt_number),
            register_id=register_id,
            lines=[
                ReturnLine(
                    line_id=line.line_id,
                    quantity=line.quantity,
                    disposition=line.disposition.value,
                )
                for line in lines
            ],
            reason=reason,
            refund_method=refund_method.value,
        )
        executed: Executed[SaleReturnAggregate] = await runtime.run(
            runtime.handlers.return_sale, command
        )
        return SaleReturn.from_aggregate(executed.value)

    @federation.mutation(
        requires_scopes=[[REFUNDS]],
        description="Goods back without a receipt: a supervisor's call, refunded in cash "
        "at today's shelf price.",
    )
    async def return_without_receipt(
        self,
        info: Info,
        command_id: strawberry.ID,
        register_id: strawberry.ID,
        items: list[UnreceiptedItemInput],
        reason: str,
    ) -> SaleReturn:
        caller = require_scope(info, REFUNDS)
        runtime = _runtime(info)
        command = ReturnWithoutReceipt(
            **caller.meta(command_id),
            register_id=register_id,
            lines=[
                UnreceiptedLineInput(
                    product_id=item.product_id,
                    quantity=item.quantity,
                    disposition=item.disposition.value,
                )
                for item in items
            ],
            reason=reason,
        )
        executed: Executed[SaleReturnAggregate] = await runtime.run(
            runtime.handlers.return_without_receipt, command
        )
        return SaleReturn.from_aggregate(executed.value)

    # -- promotions -------------------------------------------------------------------

    @federation.mutation(
        requires_scopes=[[PROMOTIONS]],
        description="A promotion code: PERCENT or AMOUNT off, valid in [validFrom, "
        "validUntil), at most `usageLimit` sales (null: unlimited).",
    )
    async def create_promotion(
        self,
        info: Info,
        command_id: strawberry.ID,
        code: str,
        kind: DiscountType,
        valid_from: datetime,
        valid_until: datetime,
        percent: str | None = None,
        amount: MoneyInput | None = None,
        usage_limit: int | None = None,
    ) -> Promotion:
        caller = require_scope(info, PROMOTIONS)
        runtime = _runtime(info)
        command = CreatePromotion(
            **caller.meta(command_id),
            code=code,
            kind=kind.value,
            valid_from=valid_from,
            valid_until=valid_until,
            percent=percent,
            amount=amount_of(amount),
            usage_limit=usage_limit,
        )
        executed = await runtime.run(runtime.handlers.create_promotion, command)
        return Promotion.from_aggregate(executed.value)

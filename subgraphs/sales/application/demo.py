"""Demo sales for `pos run` and `pos seed`: a few days at two registers of one store.

Three past days, each a shift per register opened with a float, some sales (by barcode,
cash, card and split tenders, one discount a supervisor approved), a cash drop, a
return of an earlier day's sale, and the Z report (one drawer 50 cents short); then
today's shift, left open with a sale on it, so the till has something to continue and
the reports have something to show. Every record is made by the handlers, with the
clock set to the day being played.

The caller passes what the other contexts publish (`DemoDirectory`: products, the store,
its registers) so the seed needs no projection to have caught up. Command ids derive
from the plan (day, register, step), so the seed is idempotent: a second run finds the
last shift of the plan and writes nothing. Only stores trading in the products' currency
get sales (the demo catalog is priced in EUR: S01).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any, TypeVar

from eventbus import EventStore
from eventbus.actor import acting_as
from subgraphs.hosting.commands import Handled, execute
from subgraphs.sales.application.base import derived_id
from subgraphs.sales.application.commands import (
    AddSaleLine,
    AddTender,
    Amount,
    ApplyDiscount,
    CloseShift,
    MoveCash,
    OpenShift,
    ReturnLineInput,
    ReturnSale,
    SaleCommand,
    StartSale,
)
from subgraphs.sales.application.handlers import SalesHandlers
from subgraphs.sales.application.ports import ProductInfo, RegisterInfo, StoreInfo
from subgraphs.sales.domain import Sale

C = TypeVar("C")
R = TypeVar("R")

PAST_DAYS = 3
SALES_PER_SHIFT = 5
TODAY_SALES = 2
FLOAT = Decimal("150.00")
NOTES = (Decimal(5), Decimal(10), Decimal(20), Decimal(50), Decimal(100))


@dataclass(frozen=True)
class DemoMember:
    """Who works a register in the demo (a staff id and name from the staff seed)."""

    staff_id: str
    name: str
    scopes: frozenset[str] = frozenset()


@dataclass
class DemoDirectory:
    """The sales `Directory` port over fixed data (what the seed itself just wrote)."""

    products: Sequence[ProductInfo]
    stores: Sequence[StoreInfo]
    registers: Sequence[RegisterInfo]
    _by_id: dict[str, ProductInfo] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._by_id = {p.product_id: p for p in self.products}

    async def product(self, product_id: str) -> ProductInfo | None:
        return self._by_id.get(product_id)

    async def product_by_sku(self, sku: str) -> ProductInfo | None:
        return next((p for p in self.products if p.sku == sku), None)

    async def product_by_barcode(self, gtin13: str) -> ProductInfo | None:
        return next((p for p in self.products if (p.barcode or "").zfill(13) == gtin13), None)

    async def register(self, register_id: str) -> RegisterInfo | None:
        return next((r for r in self.registers if r.register_id == register_id), None)

    async def store(self, store_id: str) -> StoreInfo | None:
        return next((s for s in self.stores if s.store_id == store_id), None)

    async def customer_exists(self, customer_id: str) -> bool:
        return False  # the demo sales are walk-in


class _Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _actor(member: DemoMember) -> dict[str, object]:
    return {"staffId": member.staff_id, "name": member.name}


async def seed_demo_sales(
    store: EventStore,
    directory: DemoDirectory,
    staff: Sequence[DemoMember],
    *,
    today: date | None = None,
) -> int:
    """Play the demo days at every register of the directory's stores that sell in the
    products' currency; returns how many events were written (0: all there already).
    `staff`: the members taking turns at the registers (the first approves)."""
    day0 = today or datetime.now(UTC).date()
    clock = _Clock()
    handlers = SalesHandlers(store, directory, clock)
    player = _Player(handlers, clock, directory, staff)
    currencies = {p.currency for p in directory.products}
    registers = [
        r
        for r in directory.registers
        if any(s.store_id == r.store_id and s.currency in currencies for s in directory.stores)
    ]
    if not registers or not directory.products:
        return 0
    last = _cid(PAST_DAYS, registers[-1], f"sale{TODAY_SALES - 1}:")
    final = await handlers.sales.get(derived_id("sale", last + "start"))
    if final is not None and final.already_applied(last + "complete"):
        return 0  # the plan's last sale is complete: everything before it is too
    for day in range(PAST_DAYS + 1):
        when = day0 - timedelta(days=PAST_DAYS - day)
        for index, register in enumerate(registers):
            await player.day(day, when, index, register, closing=day < PAST_DAYS)
    return player.written


def _cid(day: int, register: RegisterInfo, step: str) -> str:
    return f"demo-sales:{register.register_id}:day{day}:{step}"


class _Player:
    def __init__(
        self,
        handlers: SalesHandlers,
        clock: _Clock,
        directory: DemoDirectory,
        staff: Sequence[DemoMember],
    ) -> None:
        self.h = handlers
        self.clock = clock
        self.directory = directory
        self.staff = staff
        self.written = 0
        self.completed: dict[tuple[int, str], list[Sale]] = {}

    async def _run(self, handler: Callable[[C], Awaitable[Handled[R]]], command: C) -> R:
        executed = await execute(handler, command)
        self.written += len(executed.envelopes)
        return executed.value

    def _at(self, when: date, hour: int, minute: int = 0) -> None:
        self.clock.now = datetime.combine(when, time(hour, minute), tzinfo=UTC)

    async def day(
        self, day: int, when: date, index: int, register: RegisterInfo, *, closing: bool
    ) -> None:
        member = self.staff[index % len(self.staff)]
        approver = self.staff[0]
        store = await self.directory.store(register.store_id)
        assert store is not None
        cur = store.currency

        def cid(step: str) -> str:
            return _cid(day, register, step)

        def meta(step: str, who: DemoMember = member) -> dict[str, Any]:
            return {"command_id": cid(step), "by": who.staff_id, "scopes": who.scopes}

        with acting_as(_actor(member)):
            now = datetime.now(UTC).replace(second=0, microsecond=0)
            if closing:
                self._at(when, 8, 45)
            else:  # today: opened an hour ago, its sales in the last hour
                self.clock.now = now - timedelta(minutes=60 - 3 * index)
            shift = await self._run(
                self.h.open_shift,
                OpenShift(
                    **meta("open"),
                    register_id=register.register_id,
                    float_total=Amount(amount=str(FLOAT), currency=cur),
                ),
            )
            count = SALES_PER_SHIFT if closing else TODAY_SALES
            sales: list[Sale] = []
            for n in range(count):
                if closing:
                    self._at(when, 9 + n * 2, 10 + 7 * index + 3 * day)
                else:
                    self.clock.now = now - timedelta(minutes=40 - 20 * n - index)
                sales.append(await self._sale(day, n, index, register, member, approver, cid, cur))
            self.completed[(day, register.register_id)] = sales
            if not closing:
                return
            self._at(when, 14, 30)
            await self._run(
                self.h.move_cash,
                MoveCash(
                    **meta("drop"),
                    shift_id=shift.id,
                    kind="DROP",
                    amount=Amount(amount="100.00", currency=cur),
                    reason="safe drop",
                ),
            )
            earlier = self.completed.get((day - 1, register.register_id))
            if earlier and day == 2:
                self._at(when, 15, 5)
                with acting_as(_actor(approver)):
                    await self._run(
                        self.h.return_sale,
                        ReturnSale(
                            **meta("return", approver),
                            sale_id=earlier[0].id,
                            register_id=register.register_id,
                            lines=[ReturnLineInput(line_id="L1", quantity=1)],
                            reason="did not fit",
                            refund_method="ORIGINAL",
                        ),
                    )
            self._at(when, 18, 0)
            shift = await self.h._shift(shift.id)
            short = Decimal("0.50") if (day, index) == (1, 0) else Decimal(0)
            await self._run(
                self.h.close_shift,
                CloseShift(
                    **meta("close"),
                    shift_id=shift.id,
                    counted_total=Amount(amount=str(shift.expected_cash - short), currency=cur),
                ),
            )

    async def _sale(
        self,
        day: int,
        n: int,
        index: int,
        register: RegisterInfo,
        member: DemoMember,
        approver: DemoMember,
        cid: Callable[[str], str],
        cur: str,
    ) -> Sale:
        def meta(step: str, who: DemoMember = member) -> dict[str, Any]:
            return {"command_id": cid(f"sale{n}:{step}"), "by": who.staff_id, "scopes": who.scopes}

        products = [p for p in self.directory.products if p.currency == cur and p.barcode]
        sale = await self._run(
            self.h.start_sale,
            StartSale(**meta("start"), register_id=register.register_id),
        )
        lines = 1 + (n + day + index) % 3
        for j in range(lines):
            product = products[(day * 11 + n * 7 + index * 5 + j * 3) % len(products)]
            sale = await self._run(
                self.h.add_line,
                AddSaleLine(
                    **meta(f"line{j}"),
                    sale_id=sale.id,
                    barcode=product.barcode,
                    quantity=1 + (j + n) % 2,
                ),
            )
        if n == 3:
            with acting_as(_actor(approver)):
                sale = await self._run(
                    self.h.apply_discount,
                    ApplyDiscount(
                        **meta("discount", approver),
                        sale_id=sale.id,
                        kind="PERCENT",
                        percent="25",
                        reason="regular customer",
                    ),
                )
        total = sale.figures().total
        kind = ("CASH", "CARD", "SPLIT")[(n + day) % 3]
        tenders: list[tuple[str, Decimal, str | None]] = []
        if kind == "CARD":
            tenders.append(("CARD", total, f"DEMO-{day}{index}{n}"))
        else:
            card = min(Decimal("10.00"), total - Decimal("0.05")) if kind == "SPLIT" else Decimal(0)
            if card > 0:
                tenders.append(("CARD", card, f"DEMO-{day}{index}{n}"))
            rest = total - card
            cash = next((x for x in NOTES if x >= rest), rest.to_integral_value(ROUND_CEILING))
            tenders.append(("CASH", cash, None))
        for k, (tender, amount, ref) in enumerate(tenders):
            sale = await self._run(
                self.h.add_tender,
                AddTender(
                    **meta(f"tender{k}"),
                    sale_id=sale.id,
                    kind=tender,
                    amount=Amount(amount=str(amount), currency=cur),
                    reference=ref,
                ),
            )
        done = await self._run(
            self.h.complete,
            SaleCommand(**meta("complete"), sale_id=sale.id),
        )
        return done.sale

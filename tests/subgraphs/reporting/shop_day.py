"""A day at a shop, built with the sales domain's own aggregates and saved to the event
store as the sales context would: two registers at the Amsterdam store (S01, NL VAT
tax-inclusive, cash rounded to 0.05) and one sale in New York (S02, USD, tax added).

2026-03-02 (UTC), Amsterdam:

- 09:15 R1 alice: 2 tea (3.50, 21%) + 1 coffee (8.99, 9%) = 15.99, paid CARD 10.00 and
  CASH 10.00: the 5.99 left for cash rounds to 6.00 (+0.01), change 4.00.
- 10:40 R2 bob: 1 coffee with 25% off ("damaged packaging", approved by sue) = 6.74,
  CASH 7.00: due 6.75 (+0.01), change 0.25.
- 11:05 R1 alice: 3 tea = 10.50, CARD.
- 14:00 R1 alice: sale 1 comes back, 1 tea restocked and the coffee written off:
  12.49 refunded in cash, rounded to 12.50 (+0.01).
- 18:00 both shifts close: R1 (float 100.00) expects 93.50 cash and counts 93.45
  (short 0.05); R2 (float 50.00) expects and counts 56.75.

New York, 12:00 R1 carol: 1 tea at 4.00 + 8.875% tax = 4.36, CASH 5.00.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

from eventbus.repository import EventSourcedRepository
from subgraphs.sales.domain import (
    Counter,
    DiscountKind,
    Disposition,
    Money,
    PricingMode,
    RefundMethod,
    ReturnItem,
    Sale,
    SaleReturn,
    Shift,
    TaxClass,
    TaxPolicy,
    TaxTable,
    TenderKind,
    count_cash,
)
from tests.subgraphs.hosting.harness import Harness

DAY = date(2026, 3, 2)
NL = TaxTable("NL", {TaxClass.STANDARD: Decimal("21"), TaxClass.REDUCED: Decimal("9")})
NL_POLICY = TaxPolicy(cash_increment=Decimal("0.05"))
US = TaxTable("US-NY-NYC", {TaxClass.STANDARD: Decimal("8.875")})
US_POLICY = TaxPolicy(PricingMode.EXCLUSIVE)
ALICE, BOB, CAROL, SUE = "staff-alice", "staff-bob", "staff-carol", "staff-sue"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=UTC)


def cid() -> str:
    return str(uuid4())


@dataclass(frozen=True)
class Item:
    product_id: str
    sku: str
    name: str
    price: str
    tax_class: TaxClass


@dataclass
class ShopDay:
    ams: str
    nyc: str
    tea: Item
    coffee: Item
    shift_r1: Shift
    shift_r2: Shift
    shift_nyc: Shift
    sales: list[Sale] = field(default_factory=list)
    returns: list[SaleReturn] = field(default_factory=list)


class Till:
    """Saves what the application layer would, one aggregate at a time."""

    def __init__(self, h: Harness) -> None:
        self.sales = EventSourcedRepository(h.store, Sale)
        self.shifts = EventSourcedRepository(h.store, Shift)
        self.returns = EventSourcedRepository(h.store, SaleReturn)

    async def open_shift(
        self, store_id: str, register_id: str, currency: str, float_: str, by: str
    ) -> Shift:
        shift = Shift.open(
            cid(),
            register_id=register_id,
            store_id=store_id,
            currency=currency,
            opening_float=count_cash(currency, total=Money(Decimal(float_), currency)),
            by=by,
            now=at(8),
            command_id=cid(),
        )
        await self.shifts.save(shift)
        return shift

    async def ring(
        self,
        shift: Shift,
        by: str,
        when: datetime,
        lines: list[tuple[Item, int]],
        tenders: list[tuple[TenderKind, str]],
        *,
        table: TaxTable = NL,
        policy: TaxPolicy = NL_POLICY,
        discount: tuple[str, Decimal, str, str] | None = None,
    ) -> Sale:
        """A completed sale; `discount`: (line index, percent, reason, approver)."""
        currency = shift.currency
        sale = Sale.start(
            cid(),
            store_id=shift.store_id,
            register_id=shift.register_id,
            shift_id=shift.id,
            currency=currency,
            tax_table=table,
            policy=policy,
            by=by,
            now=when,
            command_id=cid(),
        )
        shift.open_sale(sale.id, by=by, now=when, command_id=cid())
        line_ids = [
            sale.add_line(
                product_id=item.product_id,
                sku=item.sku,
                name=item.name,
                unit_price=Money(Decimal(item.price), currency),
                tax_class=item.tax_class,
                quantity=quantity,
                by=by,
                now=when,
                command_id=cid(),
            )
            for item, quantity in lines
        ]
        if discount is not None:
            index, percent, reason, approver = discount
            sale.apply_discount(
                line_id=line_ids[int(index)],
                kind=DiscountKind.PERCENT,
                value=percent,
                reason=reason,
                approved_by=approver,
                by=by,
                now=when,
                command_id=cid(),
            )
        for kind, amount in tenders:
            sale.add_tender(
                kind,
                Money(Decimal(amount), currency),
                reference="auth-1" if kind is TenderKind.CARD else None,
                by=by,
                now=when,
                command_id=cid(),
            )
        done = sale.complete(
            f"{shift.register_id}-{len(shift.recorded) + 1:06d}", by=by, now=when, command_id=cid()
        )
        shift.record_sale(
            sale.id,
            cash_tendered=done.settlement.cash,
            change=done.settlement.change,
            card=done.settlement.card,
            by=by,
            now=when,
            command_id=cid(),
        )
        await self.sales.save(sale)
        await self.shifts.save(shift)
        return sale

    async def take_back(
        self, sale: Sale, shift: Shift, by: str, when: datetime, items: list[ReturnItem]
    ) -> SaleReturn:
        back = SaleReturn.against_receipt(
            cid(),
            sale,
            items,
            at=Counter(shift.store_id, shift.register_id, shift.id),
            refund_method=RefundMethod.CASH,
            return_window_days=30,
            reason="changed mind",
            by=by,
            now=when,
            command_id=cid(),
        )
        shift.record_refund(
            back.id,
            cash=back.refunded_by(TenderKind.CASH),
            card=back.refunded_by(TenderKind.CARD),
            by=by,
            now=when,
            command_id=cid(),
        )
        await self.returns.save(back)
        await self.sales.save(sale)
        await self.shifts.save(shift)
        return back

    async def close(self, shift: Shift, by: str, counted: str) -> None:
        cur = shift.currency
        shift.close(
            count_cash(cur, total=Money(Decimal(counted), cur)),
            by=by,
            now=at(18),
            command_id=cid(),
        )
        await self.shifts.save(shift)


async def play_the_day(h: Harness, ams: str, nyc: str, tea: Item, coffee: Item) -> ShopDay:
    till = Till(h)
    r1 = await till.open_shift(ams, "reg-ams-1", "EUR", "100.00", ALICE)
    r2 = await till.open_shift(ams, "reg-ams-2", "EUR", "50.00", BOB)
    ny = await till.open_shift(nyc, "reg-nyc-1", "USD", "20.00", CAROL)
    day = ShopDay(ams, nyc, tea, coffee, r1, r2, ny)
    cash, card = TenderKind.CASH, TenderKind.CARD
    first = await till.ring(
        r1, ALICE, at(9, 15), [(tea, 2), (coffee, 1)], [(card, "10.00"), (cash, "10.00")]
    )
    day.sales.append(first)
    day.sales.append(
        await till.ring(
            r2,
            BOB,
            at(10, 40),
            [(coffee, 1)],
            [(cash, "7.00")],
            discount=("0", Decimal("25"), "damaged packaging", SUE),
        )
    )
    day.sales.append(await till.ring(r1, ALICE, at(11, 5), [(tea, 3)], [(card, "10.50")]))
    us_tea = Item(tea.product_id, tea.sku, tea.name, "4.00", TaxClass.STANDARD)
    day.sales.append(
        await till.ring(
            ny, CAROL, at(12), [(us_tea, 1)], [(cash, "5.00")], table=US, policy=US_POLICY
        )
    )
    tea_line, coffee_line = (line.line_id for line in first.figures().lines)
    day.returns.append(
        await till.take_back(
            first,
            r1,
            ALICE,
            at(14),
            [
                ReturnItem(tea_line, 1, Disposition.RESTOCK),
                ReturnItem(coffee_line, 1, Disposition.WRITE_OFF),
            ],
        )
    )
    await till.close(r1, ALICE, "93.45")
    await till.close(r2, BOB, "56.75")
    return day

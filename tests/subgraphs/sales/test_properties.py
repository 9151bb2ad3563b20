"""Properties over random sales: the figures always add up.

Random lines (prices, quantities, tax classes), line and sale discounts, pricing and
rounding policies, and split tenders; then: the lines' gross adds up to the total; the
tax summary's gross adds up to the total; subtotal - discounts (+ tax when exclusive)
is the total; tenders minus change equal the total plus the cash rounding; the printed
receipt shows the total; and returns never refund more than was sold.
"""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subgraphs.sales.domain.discounts import DiscountKind
from subgraphs.sales.domain.errors import SaleInputError
from subgraphs.sales.domain.money import Money, RoundingMode
from subgraphs.sales.domain.receipt import ReceiptHeader, money, receipt_text
from subgraphs.sales.domain.refunds import RefundMethod
from subgraphs.sales.domain.sale import Sale
from subgraphs.sales.domain.sale_return import Counter, ReturnItem, SaleReturn
from subgraphs.sales.domain.tax import PricingMode, RoundingLevel, TaxClass, TaxPolicy
from subgraphs.sales.domain.tenders import TenderKind
from tests.subgraphs.sales.support import CASHIER, NL, NOW, SUPERVISOR, cid, start

CLASSES = [TaxClass.STANDARD, TaxClass.REDUCED, TaxClass.ZERO]
cents = st.integers(min_value=0, max_value=50_000).map(lambda c: D(c).scaleb(-2))
policies = st.builds(
    TaxPolicy,
    st.sampled_from(list(PricingMode)),
    st.sampled_from(list(RoundingLevel)),
    st.sampled_from(list(RoundingMode)),
    st.sampled_from([None, D("0.05"), D("0.10")]),
)
lines = st.lists(
    st.tuples(cents, st.integers(1, 5), st.sampled_from(CLASSES), st.integers(0, 100)),
    min_size=1,
    max_size=6,
)


def _ring_up(policy: TaxPolicy, items: list[tuple[D, int, TaxClass, int]], sale_pct: int) -> Sale:
    sale = start(NL, policy)
    for i, (price, qty, tax_class, pct) in enumerate(items):
        line = sale.add_line(
            product_id=f"p{i}",
            sku=f"SKU{i}",
            name=f"Item {i}",
            unit_price=Money(price, "EUR"),
            tax_class=tax_class,
            quantity=qty,
            by=CASHIER,
            now=NOW,
            command_id=cid(),
        )
        if pct:
            sale.apply_discount(
                line_id=line,
                kind=DiscountKind.PERCENT,
                value=D(pct),
                reason="random",
                approved_by=SUPERVISOR,
                by=CASHIER,
                now=NOW,
                command_id=cid(),
            )
    if sale_pct:
        sale.apply_discount(
            line_id=None,
            kind=DiscountKind.PERCENT,
            value=D(sale_pct),
            reason="random",
            approved_by=SUPERVISOR,
            by=CASHIER,
            now=NOW,
            command_id=cid(),
        )
    return sale


def _pay(sale: Sale, splits: list[tuple[bool, int]]) -> None:
    """Tenders from `splits` (card?, share of the balance in %), then cash for the rest."""
    for is_card, share in splits:
        left = sale.settlement()
        if left.settled:
            return
        balance = left.total - left.tendered
        amount = (balance * share / 100).quantize(D("0.01"))
        if amount <= 0:
            continue
        kind = TenderKind.CARD if is_card else TenderKind.CASH
        sale.add_tender(
            kind, Money(amount, "EUR"), by=CASHIER, now=NOW, command_id=cid(), reference="ref"
        )
    left = sale.settlement()
    if not left.settled:
        extra = D(left.remaining + D("7.00")).quantize(D("0.01"))
        sale.add_tender(TenderKind.CASH, Money(extra, "EUR"), by=CASHIER, now=NOW, command_id=cid())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    policy=policies,
    items=lines,
    sale_pct=st.integers(0, 100),
    splits=st.lists(st.tuples(st.booleans(), st.integers(1, 100)), max_size=4),
)
def test_receipt_figures_always_add_up(
    policy: TaxPolicy,
    items: list[tuple[D, int, TaxClass, int]],
    sale_pct: int,
    splits: list[tuple[bool, int]],
) -> None:
    sale = _ring_up(policy, items, sale_pct)
    _pay(sale, splits)
    done = sale.complete("R-1", by=CASHIER, now=NOW, command_id=cid())
    f, s = done.figures, done.settlement
    assert sum((line.gross for line in f.lines), D(0)) == f.total
    assert sum((r.gross for r in f.tax_summary), D(0)) == f.total
    assert sum((r.tax for r in f.tax_summary), D(0)) == f.tax_total
    assert all(r.net + r.tax == r.gross for r in f.tax_summary)
    tax_added = f.tax_total if f.pricing is PricingMode.EXCLUSIVE else D(0)
    assert f.subtotal - f.discount_total + tax_added == f.total
    tendered = sum((t.amount for t in done.tenders), D(0))
    assert tendered - s.change == f.total + s.cash_rounding
    if policy.cash_increment is not None:
        assert abs(s.cash_rounding) <= policy.cash_increment / 2
    else:
        assert s.cash_rounding == 0
    assert s.change == 0 or any(t.kind is TenderKind.CASH for t in done.tenders)
    text = receipt_text(done, ReceiptHeader("Shop", "R1", "Anna"))
    assert money(f.total, "EUR") in text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    policy=policies,
    items=lines,
    sale_pct=st.integers(0, 100),
    asks=st.lists(st.tuples(st.integers(0, 5), st.integers(1, 6)), min_size=1, max_size=8),
)
def test_returns_never_exceed_what_was_sold(
    policy: TaxPolicy,
    items: list[tuple[D, int, TaxClass, int]],
    sale_pct: int,
    asks: list[tuple[int, int]],
) -> None:
    sale = _ring_up(policy, items, sale_pct)
    _pay(sale, [(True, 50)])
    done = sale.complete("R-1", by=CASHIER, now=NOW, command_id=cid())
    returned: dict[str, int] = {}
    refunded = D(0)
    for index, quantity in asks:
        line = done.figures.lines[index % len(done.figures.lines)]
        try:
            ret = SaleReturn.against_receipt(
                cid(),
                sale,
                [ReturnItem(line.line_id, quantity)],
                at=Counter("s", "r", "sh"),
                refund_method=RefundMethod.ORIGINAL,
                return_window_days=30,
                reason="test",
                by=CASHIER,
                now=NOW,
                command_id=cid(),
            )
        except SaleInputError as err:
            assert err.reason == "RETURN_EXCEEDS_SOLD"
            assert returned.get(line.line_id, 0) + quantity > line.quantity
            continue
        returned[line.line_id] = returned.get(line.line_id, 0) + quantity
        refunded += sum((x.gross for x in ret.document.lines), D(0))
        assert (
            sum((x.gross for x in ret.document.lines), D(0))
            == sum((x.amount for x in ret.document.tender_refunds), D(0))
            - ret.document.cash_rounding
        )
    for line in done.figures.lines:
        assert returned.get(line.line_id, 0) <= line.quantity
        assert sale.returnable(line.line_id) == line.quantity - returned.get(line.line_id, 0)
    assert refunded <= done.figures.total
    fully = all(returned.get(x.line_id, 0) == x.quantity for x in done.figures.lines)
    if fully:
        assert refunded == done.figures.total

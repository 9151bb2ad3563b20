"""Receipt documents, rendered from a completed sale's recorded figures (pure).

Two forms: plain text for 80 mm thermal printers (42 columns of Font A), and a
self-contained HTML page for printing (inline CSS, sized for 80 mm paper, no assets),
which the till can also show on screen. Both print exactly the figures recorded in
`SaleCompleted`, never recomputed ones, so a reprint years later says what the first
print said; a reprint is marked COPY at the top and the bottom.

Amounts print with the currency's minor units and a dot; the header (store, address,
register, cashier names) comes from other contexts and is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from subgraphs.sales.domain.events import SaleCompleted
from subgraphs.sales.domain.figures import SaleFigures
from subgraphs.sales.domain.money import quantum
from subgraphs.sales.domain.tax import PricingMode
from subgraphs.sales.domain.tenders import TenderKind

WIDTH = 42


@dataclass(frozen=True, slots=True)
class ReceiptHeader:
    store_name: str
    register_name: str
    cashier_name: str
    address: tuple[str, ...] = ()
    tax_id: str | None = None
    footer: str = "Thank you for shopping with us"


@dataclass(frozen=True, slots=True)
class Row:
    """A label and an amount: one printed line of the body."""

    label: str
    amount: str = ""
    indent: bool = False


def money(value: Decimal, currency: str) -> str:
    return f"{value.quantize(quantum(currency)):,}".replace(",", " ")


def _signed(value: Decimal, currency: str) -> str:
    return ("+" if value > 0 else "") + money(value, currency)


def body_rows(sale: SaleCompleted) -> list[Row]:
    """The lines, discounts, totals and tenders in print order (shared by both forms)."""
    f: SaleFigures = sale.figures
    cur = f.currency
    rows: list[Row] = []
    for line in f.lines:
        rows.append(Row(line.name, money(line.amount, cur)))
        detail = f"{line.quantity} x {money(line.unit_price, cur)}  {line.rate}%  {line.sku}"
        rows.append(Row(detail, indent=True))
        for d in f.discounts:
            if d.discount.line_id == line.line_id:
                rows.append(Row(f"Discount: {d.discount.reason}", money(-d.amount, cur), True))
    rows.append(Row("Subtotal", money(f.subtotal, cur)))
    for d in f.discounts:
        if d.discount.line_id is None:
            label = d.discount.promotion_code or d.discount.reason
            rows.append(Row(f"Sale discount: {label}", money(-d.amount, cur)))
    if f.pricing is PricingMode.EXCLUSIVE:
        rows.append(Row("Sales tax", money(f.tax_total, cur)))
    rows.append(Row(f"TOTAL {cur}", money(f.total, cur)))
    s = sale.settlement
    if s.cash_rounding:
        rows.append(Row("Cash rounding", _signed(s.cash_rounding, cur)))
        rows.append(Row(f"TO PAY {cur}", money(s.due, cur)))
    for tender in sale.tenders:
        label = "Cash" if tender.kind is TenderKind.CASH else f"Card {tender.reference or ''}"
        rows.append(Row(label.strip(), money(tender.amount, cur)))
    rows.append(Row("Change", money(s.change, cur)))
    if f.discount_total:
        rows.append(Row("You saved", money(f.discount_total, cur)))
    return rows


def _lr(left: str, right: str, width: int = WIDTH) -> str:
    room = width - len(right) - 1 if right else width
    left = left if len(left) <= room else left[: room - 1] + "~"
    return f"{left:<{room}}{' ' if right else ''}{right}"[:width].rstrip()


def _center(text: str) -> str:
    return text[:WIDTH].center(WIDTH).rstrip()


def receipt_text(sale: SaleCompleted, header: ReceiptHeader, *, copy: bool = False) -> str:
    """The receipt for a 42-column thermal printer, lines ending in newlines."""
    cur = sale.figures.currency
    rule = "-" * WIDTH
    out = [_center(header.store_name.upper()), *(_center(a) for a in header.address)]
    if header.tax_id:
        out.append(_center(f"VAT {header.tax_id}"))
    if copy:
        out.append(_center("*** COPY ***"))
    out += [
        _lr("Receipt", sale.receipt_number),
        _lr(sale.at.strftime("%Y-%m-%d %H:%M"), header.register_name),
        _lr("Cashier", header.cashier_name),
        rule,
    ]
    for row in body_rows(sale):
        out.append(_lr(("  " if row.indent else "") + row.label, row.amount))
    out.append(rule)
    label = "incl. VAT" if sale.figures.pricing is PricingMode.INCLUSIVE else "tax"
    out.append(f"{'Rate':<8}{'Net':>11}{'Tax':>11}{'Gross':>12}")
    for r in sale.figures.tax_summary:
        out.append(
            f"{str(r.rate) + '%':<8}{money(r.net, cur):>11}"
            f"{money(r.tax, cur):>11}{money(r.gross, cur):>12}"
        )
    out.append(_lr(f"Total {label}", money(sale.figures.tax_total, cur)))
    out += [rule, _center(header.footer)]
    if copy:
        out.append(_center("*** COPY ***"))
    return "\n".join(out) + "\n"


_CSS = """
@page { size: 80mm auto; margin: 0; }
body { font: 12px/1.35 "Courier New", monospace; width: 72mm; margin: 4mm auto; color: #000; }
h1 { font-size: 15px; text-align: center; margin: 0 0 2px; }
p { margin: 0; text-align: center; }
table { width: 100%; border-collapse: collapse; }
td, th { padding: 0; vertical-align: top; }
td.n, th.n { text-align: right; white-space: nowrap; }
td.i { padding-left: 3mm; font-size: 11px; }
tr.total td { font-weight: bold; border-top: 1px solid #000; }
hr { border: 0; border-top: 1px dashed #000; margin: 2mm 0; }
.copy { font-weight: bold; text-align: center; letter-spacing: 2px; }
@media print { body { margin: 0 auto; } }
"""


def receipt_html(sale: SaleCompleted, header: ReceiptHeader, *, copy: bool = False) -> str:
    """A self-contained HTML receipt (inline CSS for 80 mm paper, no external assets)."""
    cur = sale.figures.currency
    e = escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Receipt {e(sale.receipt_number)}{' (copy)' if copy else ''}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{e(header.store_name)}</h1>",
        *(f"<p>{e(a)}</p>" for a in header.address),
    ]
    if header.tax_id:
        parts.append(f"<p>VAT {e(header.tax_id)}</p>")
    if copy:
        parts.append('<p class="copy">COPY</p>')
    parts += [
        "<hr><table>",
        f'<tr><td>Receipt</td><td class="n">{e(sale.receipt_number)}</td></tr>',
        f'<tr><td>{sale.at:%Y-%m-%d %H:%M}</td><td class="n">{e(header.register_name)}</td></tr>',
        f'<tr><td>Cashier</td><td class="n">{e(header.cashier_name)}</td></tr>',
        "</table><hr><table>",
    ]
    for row in body_rows(sale):
        cls = ' class="i"' if row.indent else ""
        total = ' class="total"' if row.label.startswith(("TOTAL", "TO PAY")) else ""
        parts.append(
            f'<tr{total}><td{cls}>{e(row.label)}</td><td class="n">{e(row.amount)}</td></tr>'
        )
    parts.append(
        '</table><hr><table><tr><th>Rate</th><th class="n">Net</th>'
        '<th class="n">Tax</th><th class="n">Gross</th></tr>'
    )
    for r in sale.figures.tax_summary:
        parts.append(
            f'<tr><td>{r.rate}%</td><td class="n">{money(r.net, cur)}</td>'
            f'<td class="n">{money(r.tax, cur)}</td><td class="n">{money(r.gross, cur)}</td></tr>'
        )
    parts += ["</table><hr>", f"<p>{e(header.footer)}</p>"]
    if copy:
        parts.append('<p class="copy">COPY</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"

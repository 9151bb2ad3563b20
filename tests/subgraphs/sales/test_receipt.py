"""Receipt documents: text for 80 mm printers, HTML for printing, COPY on reprints."""

from __future__ import annotations

from decimal import Decimal as D

from subgraphs.sales.domain.discounts import DiscountKind
from subgraphs.sales.domain.events import SaleCompleted
from subgraphs.sales.domain.receipt import WIDTH, ReceiptHeader, receipt_html, receipt_text
from subgraphs.sales.domain.tax import TaxClass
from subgraphs.sales.domain.tenders import TenderKind
from tests.subgraphs.sales.support import CASHIER, NOW, add, cid, eur, start

HEADER = ReceiptHeader(
    store_name="Koffie & Co <Centrum>",
    register_name="Register 1",
    cashier_name="Anna",
    address=("Damstraat 1", "1012 JL Amsterdam"),
    tax_id="NL001234567B01",
)


def _completed() -> SaleCompleted:
    sale = start()
    mug = add(sale, "12.10", quantity=2, name="Espresso cup with a very long product name")
    add(sale, "1.09", tax_class=TaxClass.REDUCED, name="Croissant")
    sale.apply_discount(
        line_id=mug,
        kind=DiscountKind.AMOUNT,
        value=eur("1.00"),
        reason="chipped",
        by=CASHIER,
        now=NOW,
        command_id=cid(),
    )
    sale.add_tender(
        TenderKind.CARD, eur("10.00"), by=CASHIER, now=NOW, command_id=cid(), reference="4242"
    )
    sale.add_tender(TenderKind.CASH, eur("20.00"), by=CASHIER, now=NOW, command_id=cid())
    return sale.complete("AMS-R1-000123", by=CASHIER, now=NOW, command_id=cid())


def test_text_receipt_fits_42_columns_and_shows_everything() -> None:
    text = receipt_text(_completed(), HEADER)
    lines = text.splitlines()
    assert all(len(line) <= WIDTH for line in lines)
    for expected in (
        "KOFFIE & CO <CENTRUM>",
        "AMS-R1-000123",
        "2026-03-02 10:30",
        "Cashier",
        "Anna",
        "Discount: chipped",
        "TOTAL EUR",
        "Cash rounding",
        "Card 4242",
        "Change",
        "21%",
        "9%",
    ):
        assert expected in text, expected
    # 24.20 - 1.00 + 1.09 = 24.29; card 10.00, cash 14.29 -> 14.30; change 5.70
    assert "TOTAL EUR                            24.29" in lines
    assert "Change                                5.70" in lines
    assert "COPY" not in text


def test_a_reprint_is_marked_copy() -> None:
    done = _completed()
    assert receipt_text(done, HEADER, copy=True).count("*** COPY ***") == 2
    assert receipt_html(done, HEADER, copy=True).count(">COPY<") == 2


def test_html_receipt_is_self_contained_escaped_and_sized_for_80mm() -> None:
    html = receipt_html(_completed(), HEADER)
    assert html.startswith("<!DOCTYPE html>")
    assert "size: 80mm auto" in html
    assert "Koffie &amp; Co &lt;Centrum&gt;" in html
    assert "<script" not in html and "http" not in html
    assert "AMS-R1-000123" in html and "24.29" in html


def test_figures_print_as_recorded() -> None:
    done = _completed()
    again = SaleCompleted.model_validate(done.payload())
    assert receipt_text(again, HEADER) == receipt_text(done, HEADER)
    assert D("24.29") == done.figures.total

"""Tax and rounding, checked against the Netherlands' published rules and examples.

Sources (one jurisdiction, the Netherlands):

- Belastingdienst, "Btw-bedrag afronden" (quoted at
  https://www.fiscanet.nl/fiscanet/fiscact.nsf/rssfn?readform&re=CD85738AB347F587C1258486004D0B4E
  and https://www.softwarepakketten.nl/wiki_uitleg/59&bronw=7/UBL_en_BTW_afronding_en_BTW_berekening_via_grondslagen.htm):
  round the VAT arithmetically to whole cents (EUR 20.124 -> 20.12, 20.125 -> 20.13);
  round per supplied item (line) or the total, never both. The second page's worked
  example: lines 37.50 and 12.50 at 21% give VAT 7.88 + 2.63 = 10.51 per line, but
  10.50 on the total (invoice 60.51 vs 60.50).
- Rijksoverheid, cash rounding ("afronden", quoted at
  https://webwoordenboek.nl/kenniscentrum/hoe-rond-je-geld-af): the cash total is
  rounded to 0 or 5 cents; EUR 23.37 -> 23.35, 8.89 -> 8.90; totals ending in 1 or 2
  cents go down to x.x0, in 3, 4, 6 or 7 to x.x5, in 8 or 9 up to the next x.x0.
- Rates: 21% standard, 9% reduced, 0% zero.

The EXCLUSIVE example after them is US-style sales tax (8.875%, New York City's
combined rate), worked by hand.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from subgraphs.sales.domain.errors import SaleInputError
from subgraphs.sales.domain.money import RoundingMode, allocate, round_money, round_to_increment
from subgraphs.sales.domain.tax import (
    PricingMode,
    RoundingLevel,
    TaxableLine,
    TaxClass,
    TaxPolicy,
    TaxTable,
    compute_tax,
    parse_pricing,
    parse_tax_class,
)

NL = TaxTable("NL", {TaxClass.STANDARD: D("21"), TaxClass.REDUCED: D("9"), TaxClass.ZERO: D("0")})
US_NYC = TaxTable("US-NY-NYC", {TaxClass.STANDARD: D("8.875"), TaxClass.ZERO: D("0")})


@pytest.mark.parametrize(("raw", "rounded"), [("20.124", "20.12"), ("20.125", "20.13")])
def test_vat_is_rounded_arithmetically_to_whole_cents(raw: str, rounded: str) -> None:
    assert round_money(D(raw), "EUR", RoundingMode.HALF_UP) == D(rounded)


def test_half_even_is_the_alternative_policy() -> None:
    assert round_money(D("20.125"), "EUR", RoundingMode.HALF_EVEN) == D("20.12")


def _lines(*amounts: str, tax_class: TaxClass = TaxClass.STANDARD) -> list[TaxableLine]:
    return [TaxableLine(f"L{i}", tax_class, D(a)) for i, a in enumerate(amounts, 1)]


def test_per_line_rounding_matches_the_published_example() -> None:
    policy = TaxPolicy(PricingMode.EXCLUSIVE, RoundingLevel.PER_LINE)
    result = compute_tax(_lines("37.50", "12.50"), NL, policy, "EUR")
    assert [line.tax for line in result.lines] == [D("7.88"), D("2.63")]
    assert (result.net, result.tax, result.gross) == (D("50.00"), D("10.51"), D("60.51"))


def test_per_total_rounding_matches_the_published_example() -> None:
    policy = TaxPolicy(PricingMode.EXCLUSIVE, RoundingLevel.PER_TOTAL)
    result = compute_tax(_lines("37.50", "12.50"), NL, policy, "EUR")
    assert (result.net, result.tax, result.gross) == (D("50.00"), D("10.50"), D("60.50"))
    # spread back over the lines so that they still add up to the summary
    assert sum(line.tax for line in result.lines) == D("10.50")
    # 7.875 and 2.625 tie on the half cent: the earlier line takes it
    assert [line.gross for line in result.lines] == [D("45.38"), D("15.12")]


def test_inclusive_prices_contain_the_vat_fraction() -> None:
    lines = [
        TaxableLine("L1", TaxClass.STANDARD, D("12.10")),
        TaxableLine("L2", TaxClass.REDUCED, D("1.09")),
        TaxableLine("L3", TaxClass.ZERO, D("3.00")),
    ]
    result = compute_tax(lines, NL, TaxPolicy(), "EUR")
    rows = {r.tax_class: (r.rate, r.net, r.tax, r.gross) for r in result.summary}
    assert rows == {
        TaxClass.STANDARD: (D("21"), D("10.00"), D("2.10"), D("12.10")),
        TaxClass.REDUCED: (D("9"), D("1.00"), D("0.09"), D("1.09")),
        TaxClass.ZERO: (D("0"), D("3.00"), D("0.00"), D("3.00")),
    }
    assert result.gross == D("16.19")


def test_inclusive_per_line_and_per_total_can_differ_by_a_cent() -> None:
    # 3 x 0.99 at 21%: 0.1718... per line rounds to 0.17 (x3 = 0.51); 2.97 -> 0.5155 -> 0.52
    lines = _lines("0.99", "0.99", "0.99")
    per_line = compute_tax(lines, NL, TaxPolicy(level=RoundingLevel.PER_LINE), "EUR")
    per_total = compute_tax(lines, NL, TaxPolicy(level=RoundingLevel.PER_TOTAL), "EUR")
    assert (per_line.tax, per_total.tax) == (D("0.51"), D("0.52"))
    assert per_line.gross == per_total.gross == D("2.97")


@pytest.mark.parametrize(
    ("due", "cash"),
    [
        ("23.37", "23.35"),
        ("8.89", "8.90"),
        ("1.01", "1.00"),
        ("1.02", "1.00"),
        ("1.03", "1.05"),
        ("1.04", "1.05"),
        ("1.06", "1.05"),
        ("1.07", "1.05"),
        ("1.08", "1.10"),
        ("1.09", "1.10"),
        ("1.10", "1.10"),
    ],
)
def test_cash_rounding_to_five_cents(due: str, cash: str) -> None:
    assert round_to_increment(D(due), D("0.05"), "EUR", RoundingMode.HALF_UP) == D(cash)


def test_us_sales_tax_is_added_on_top() -> None:
    # 10.00 x 8.875% = 0.8875 -> 0.89; 4.99 x 8.875% = 0.4428... -> 0.44; food at 0%
    lines = [
        TaxableLine("L1", TaxClass.STANDARD, D("10.00")),
        TaxableLine("L2", TaxClass.STANDARD, D("4.99")),
        TaxableLine("L3", TaxClass.ZERO, D("2.50")),
    ]
    per_line = compute_tax(lines, US_NYC, TaxPolicy(PricingMode.EXCLUSIVE), "USD")
    assert [line.tax for line in per_line.lines] == [D("0.89"), D("0.44"), D("0.00")]
    assert (per_line.net, per_line.tax, per_line.gross) == (D("17.49"), D("1.33"), D("18.82"))
    per_total = compute_tax(
        lines, US_NYC, TaxPolicy(PricingMode.EXCLUSIVE, RoundingLevel.PER_TOTAL), "USD"
    )
    # 14.99 x 8.875% = 1.3303... -> 1.33
    assert per_total.tax == D("1.33")


def test_a_class_without_a_rate_is_refused() -> None:
    with pytest.raises(SaleInputError, match="no rate for tax class REDUCED") as err:
        compute_tax(_lines("1.00", tax_class=TaxClass.REDUCED), US_NYC, TaxPolicy(), "USD")
    assert err.value.code == "BAD_USER_INPUT"
    assert err.value.reason == "NO_TAX_RATE"


def test_tax_classes_are_names_a_region_may_extend() -> None:
    assert parse_tax_class(" reduced ") == TaxClass.REDUCED
    assert parse_tax_class("super_reduced") == "SUPER_REDUCED"
    with pytest.raises(SaleInputError, match="is not a tax class: use STANDARD") as err:
        parse_tax_class("9% food")
    assert err.value.reason == "UNKNOWN_TAX_CLASS"


def test_a_region_s_own_class_is_taxed_and_summarised_after_the_known_ones() -> None:
    fr = TaxTable("FR", {"SUPER_REDUCED": D("2.1"), TaxClass.STANDARD: D("20")})
    lines = [
        TaxableLine("L1", "SUPER_REDUCED", D("10.21")),
        TaxableLine("L2", TaxClass.STANDARD, D("12.00")),
    ]
    result = compute_tax(lines, fr, TaxPolicy(), "EUR")
    assert [(r.tax_class, r.tax) for r in result.summary] == [
        (TaxClass.STANDARD, D("2.00")),
        ("SUPER_REDUCED", D("0.21")),
    ]


def test_allocation_sums_exactly_and_favours_largest_remainders() -> None:
    assert allocate(D("1.00"), [D("1"), D("1"), D("1")], "EUR") == [
        D("0.34"),
        D("0.33"),
        D("0.33"),
    ]
    assert allocate(D("0.05"), [D("0"), D("0")], "EUR") == [D("0.03"), D("0.02")]
    assert allocate(D("7"), [D("2"), D("0"), D("5")], "JPY") == [D("2"), D("0"), D("5")]


def test_pricing_reads_the_stores_context_s_names() -> None:
    assert parse_pricing("TAX_INCLUSIVE") is PricingMode.INCLUSIVE
    assert parse_pricing("exclusive") is PricingMode.EXCLUSIVE
    with pytest.raises(SaleInputError, match="INCLUSIVE or EXCLUSIVE"):
        parse_pricing("GROSS")

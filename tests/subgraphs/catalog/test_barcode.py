"""Barcodes and tax classes in the catalog's domain: check digits, lengths, the claim."""

from __future__ import annotations

from decimal import Decimal

import pytest

from eventbus import Conflict, DomainError
from subgraphs.catalog.domain import (
    Money,
    NameClaim,
    Product,
    ProductAdded,
    ProductBarcodeSet,
    ProductTaxClassSet,
    gtin13,
    parse_barcode,
    parse_tax_class,
    with_check_digit,
)

CATEGORY = "0b9f3f5e-8f1b-4c55-9e1d-0a3b6f2e7c11"


def test_real_codes_pass_their_check_digit() -> None:
    # GS1's own examples and codes printed on real packaging
    assert parse_barcode("4006381333931") == "4006381333931"  # EAN-13 (Stabilo pen)
    assert parse_barcode("5901234123457") == "5901234123457"  # GS1 example
    assert parse_barcode("036000291452") == "036000291452"  # UPC-A (GS1 US example)
    assert parse_barcode(" 4006381 333931 ") == "4006381333931"
    assert parse_barcode("400-6381-333931") == "4006381333931"
    assert with_check_digit("400638133393") == "4006381333931"
    assert with_check_digit("03600029145") == "036000291452"


def test_a_wrong_check_digit_says_which_digit_was_expected() -> None:
    with pytest.raises(
        DomainError,
        match=r"not a valid EAN-13 code: its check digit is 2, "
        r"the digits before it give 1",
    ):
        parse_barcode("4006381333932")
    with pytest.raises(DomainError, match="not a valid UPC-A code"):
        parse_barcode("036000291453")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("123", "has 3 digits: an EAN-13 has 13 and a UPC-A 12"),
        ("40063813339312", "has 14 digits"),
        ("40063813339", "has 11 digits"),
        ("40063813339x1", "may contain only digits"),
        ("٤٠٠٦٣٨١٣٣٣٩٣١", "may contain only digits"),  # Arabic-Indic digits
        ("  ", "must not be empty"),
    ],
)
def test_wrong_lengths_and_characters_are_refused(value: str, words: str) -> None:
    with pytest.raises(DomainError, match=words) as caught:
        parse_barcode(value)
    assert caught.value.field == "barcode"


def test_upc_a_and_its_ean_13_form_are_one_barcode() -> None:
    assert gtin13("036000291452") == "0036000291452" == gtin13("0036000291452")
    assert parse_barcode("0036000291452") == "0036000291452"


def test_tax_classes_are_open_upper_case_names() -> None:
    assert parse_tax_class(" reduced ") == "REDUCED"
    assert parse_tax_class("SUPER_REDUCED") == "SUPER_REDUCED"
    for bad in ("", "9LIVES", "A-B", "X" * 33):
        with pytest.raises(DomainError, match="is not a tax class"):
            parse_tax_class(bad)


def test_a_product_carries_its_barcode_and_tax_class() -> None:
    added = Product.add(
        "p1",
        "SKU-1",
        "Tea",
        CATEGORY,
        Money(Decimal("2.00"), "EUR"),
        barcode="4006381333931",
        tax_class="REDUCED",
    )
    event = added.pending[0]
    assert isinstance(event, ProductAdded)
    assert event.model_dump()["barcode"] == "4006381333931"
    assert event.model_dump()["tax_class"] == "REDUCED"
    product = Product.replay("p1", added.collect())
    assert (product.barcode, product.tax_class) == ("4006381333931", "REDUCED")
    product.set_barcode("4006381333931")
    product.set_tax_class("REDUCED")
    assert product.pending == ()
    product.set_barcode(None)
    product.set_tax_class("ZERO")
    removed, reclassed = product.collect()
    assert isinstance(removed, ProductBarcodeSet) and removed.barcode is None
    assert removed.previous_barcode == "4006381333931"
    assert isinstance(reclassed, ProductTaxClassSet)
    assert (reclassed.previous_tax_class, reclassed.tax_class) == ("REDUCED", "ZERO")
    assert (product.barcode, product.tax_class) == (None, "ZERO")


def test_old_product_added_events_read_as_standard_without_barcode() -> None:
    old = ProductAdded.model_validate(
        {
            "product_id": "p1",
            "sku": "SKU-1",
            "name": "Tea",
            "category_id": CATEGORY,
            "unit_price": "2.00",
            "currency": "EUR",
        }
    )
    product = Product.replay("p1", [old])
    assert (product.barcode, product.tax_class) == (None, "STANDARD")


def test_a_released_barcode_can_be_claimed_by_another_product() -> None:
    claim = NameClaim.blank("barcode", "4006381333931")
    claim.claim("barcode", "4006381333931", "p1", "barcode")
    with pytest.raises(Conflict, match="barcode '4006381333931' is already used by p1"):
        claim.claim("barcode", "4006381333931", "p2", "barcode")
    claim.release("p2")  # not the owner: nothing
    assert len(claim.pending) == 1
    claim.release("p1")
    claim.claim("barcode", "4006381333931", "p2", "barcode")
    assert claim.owner_id == "p2"
    assert len(claim.pending) == 3

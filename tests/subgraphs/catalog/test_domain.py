"""Catalog domain rules, no services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from eventbus import Conflict, DomainError
from subgraphs.catalog.domain import (
    Category,
    Money,
    NameClaim,
    Product,
    ProductPriceChanged,
    claim_id,
    parse_id,
    parse_money,
    parse_sku,
)

CATEGORY = "0b9f3f5e-8f1b-4c55-9e1d-0a3b6f2e7c11"


def product() -> Product:
    added = Product.add("p1", "SKU-1", "Tea", CATEGORY, Money(Decimal("2.00"), "EUR"))
    return Product.replay("p1", added.collect())


def test_money_is_exact_and_respects_the_currency_minor_units() -> None:
    assert parse_money("12.5", "eur") == Money(Decimal("12.50"), "EUR")
    assert parse_money("100", "JPY") == Money(Decimal("100"), "JPY")
    assert parse_money("1.250", "KWD") == Money(Decimal("1.250"), "KWD")
    assert parse_money("0", "USD").amount == Decimal("0.00")
    with pytest.raises(DomainError, match="more decimals than JPY allows"):
        parse_money("1.5", "JPY")
    for bad in ("NaN", "Infinity", "", "1,50", "1e"):
        with pytest.raises(DomainError, match="not a number"):
            parse_money(bad, "EUR")
    with pytest.raises(DomainError, match="ISO 4217"):
        parse_money("1", "EURO")


def test_skus_are_normalised_and_checked() -> None:
    assert parse_sku(" ab-12.x_y ") == "AB-12.X_Y"
    for bad, words in (("", "empty"), ("-A", "starting with"), ("A B", "letters")):
        with pytest.raises(DomainError, match=words):
            parse_sku(bad)


def test_ids_must_be_uuids() -> None:
    assert parse_id(CATEGORY.upper()) == CATEGORY
    with pytest.raises(DomainError, match="not a valid product id"):
        parse_id("42", "productId", "product")


def test_product_changes_record_events_only_when_something_changes() -> None:
    item = product()
    item.rename("  Tea ")
    item.change_price(Money(Decimal("2.00"), "EUR"))
    assert item.pending == ()
    item.change_price(Money(Decimal("2.50"), "EUR"))
    assert len(item.pending) == 1
    event = item.pending[0]
    assert isinstance(event, ProductPriceChanged)
    assert (event.previous_unit_price, event.unit_price) == ("2.00", "2.50")
    item.deactivate()
    with pytest.raises(Conflict, match="already inactive"):
        item.deactivate()
    item.activate()
    assert item.active


def test_a_claimed_name_belongs_to_one_owner() -> None:
    claim = NameClaim.blank("sku", "SKU-1")
    assert claim.id == claim_id("sku", "sku-1")
    claim.claim("sku", "SKU-1", "p1", "sku")
    claim.claim("sku", "SKU-1", "p1", "sku")
    assert len(claim.pending) == 1
    with pytest.raises(Conflict, match="already used by p1"):
        claim.claim("sku", "SKU-1", "p2", "sku")


def test_category_names_are_cleaned() -> None:
    category = Category.create(CATEGORY, "  Hot   drinks ")
    assert category.name == "Hot drinks"
    with pytest.raises(DomainError, match="at most 100"):
        Category.create(CATEGORY, "x" * 101)

"""The stores domain's rules, with no I/O: input rules, stores, registers, tax regions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from eventbus import Conflict, DomainError
from subgraphs.stores.domain import (
    Address,
    PricingMode,
    Register,
    RegisterAssigned,
    RegisterDeactivated,
    RoundingLevel,
    RoundingMode,
    RoundingPolicy,
    Store,
    StoreCodeClaim,
    StoreOpened,
    StoreSettings,
    StoreUpdated,
    TaxRateSet,
    TaxRegion,
    canonical,
    parse_address,
    parse_cash_increment,
    parse_currency,
    parse_percent,
    parse_rate,
    parse_region_code,
    parse_register_code,
    parse_return_window,
    parse_store_code,
    parse_tax_class,
    store_code_claim_id,
    tax_region_id,
)

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ADDRESS = Address(line1="Hoofdstraat 1", city="Amsterdam", postal_code="1011 AA", country="NL")


def settings(**changes: object) -> StoreSettings:
    base = StoreSettings(
        name="Main Street",
        address=ADDRESS,
        tax_region_id=tax_region_id("NL"),
        tax_region="NL",
        pricing_mode=PricingMode.TAX_INCLUSIVE,
        cash_rounding_increment=Decimal("0.05"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def opened(**changes: object) -> Store:
    store = Store.open(
        str(uuid4()), code="S01", currency="EUR", settings=settings(**changes), now=NOW
    )
    store.collect()
    return store


# -- input rules --------------------------------------------------------------------------


def test_codes_are_upper_cased_and_limited_to_letters_digits_dash_underscore() -> None:
    assert parse_store_code(" s01 ") == "S01"
    assert parse_register_code("r-1") == "R-1"
    for wrong in ("", "S 01", "-S1", "S01!", "X" * 17):
        with pytest.raises(DomainError) as err:
            parse_store_code(wrong)
        assert err.value.field == "code"


def test_currencies_are_iso_4217() -> None:
    assert parse_currency(" eur ") == "EUR"
    with pytest.raises(DomainError, match="ISO 4217") as err:
        parse_currency("EURO")
    assert err.value.code == "BAD_USER_INPUT"


def test_rates_are_percentages_from_zero_to_below_one_hundred() -> None:
    assert parse_rate("21") == Decimal(21)
    assert parse_rate("8.875") == Decimal("8.875")
    assert parse_rate("0") == 0
    assert parse_rate("99.9999") == Decimal("99.9999")
    for wrong, message in (
        ("-0.01", "at least 0 and below 100"),
        ("100", "at least 0 and below 100"),
        ("150", "at least 0 and below 100"),
        ("abc", "not a number"),
        ("NaN", "not a number"),
        ("Infinity", "not a number"),
        ("1.23456", "more than 4 decimals"),
    ):
        with pytest.raises(DomainError, match=message) as err:
            parse_rate(wrong)
        assert err.value.field == "ratePercent"


def test_canonical_decimals_have_no_trailing_zeros() -> None:
    assert canonical(Decimal("21.000")) == "21"
    assert canonical(Decimal("8.8750")) == "8.875"
    assert canonical(Decimal("0.00")) == "0"
    assert canonical(Decimal("1E+1")) == "10"


def test_thresholds_are_zero_to_one_hundred_percent() -> None:
    assert parse_percent("100") == 100
    with pytest.raises(DomainError, match="from 0 to 100"):
        parse_percent("100.5")
    with pytest.raises(DomainError, match="from 0 to 100"):
        parse_percent("-1")


def test_return_windows_are_zero_to_ten_years_of_days() -> None:
    assert parse_return_window(0) == 0
    with pytest.raises(DomainError, match="returnWindowDays"):
        parse_return_window(-1)
    with pytest.raises(DomainError, match="returnWindowDays"):
        parse_return_window(3651)


def test_cash_increments_are_positive_whole_minor_units_of_the_currency() -> None:
    assert parse_cash_increment("0.05", "EUR") == Decimal("0.05")
    assert parse_cash_increment("10", "JPY") == 10
    with pytest.raises(DomainError, match="finer than EUR allows"):
        parse_cash_increment("0.005", "EUR")
    with pytest.raises(DomainError, match="finer than JPY allows"):
        parse_cash_increment("0.5", "JPY")
    with pytest.raises(DomainError, match="above 0"):
        parse_cash_increment("0", "EUR")


def test_tax_classes_and_region_codes() -> None:
    assert parse_tax_class("standard") == "STANDARD"
    assert parse_tax_class("super_reduced") == "SUPER_REDUCED"
    assert parse_region_code("us-ny-nyc") == "US-NY-NYC"
    with pytest.raises(DomainError, match="not a tax class"):
        parse_tax_class("9%")
    with pytest.raises(DomainError, match="not a tax region code"):
        parse_region_code("N L")


def test_addresses_need_line1_city_postcode_and_a_two_letter_country() -> None:
    address = parse_address(
        line1=" 1  Broadway ", city="New York", postal_code="10004", region="NY", country="us"
    )
    assert address == Address("1 Broadway", "New York", "10004", "US", "", "NY")
    with pytest.raises(DomainError, match="two-letter") as err:
        parse_address(line1="x", city="y", postal_code="1", country="USA")
    assert err.value.field == "address.country"
    with pytest.raises(DomainError, match="must not be empty") as err:
        parse_address(line1=" ", city="y", postal_code="1", country="US")
    assert err.value.field == "address.line1"


# -- stores -------------------------------------------------------------------------------


def test_opening_records_the_store_with_its_defaults() -> None:
    store = Store.open(str(uuid4()), code="S01", currency="EUR", settings=settings(), now=NOW)
    [event] = store.collect()
    assert isinstance(event, StoreOpened)
    assert event.event_type == "pos.stores.StoreOpened.v1"
    assert event.return_window_days == 30
    assert event.discount_approval_threshold_percent == "20"
    assert event.cash_rounding_increment == "0.05"
    assert event.rounding_level == "PER_LINE" and event.rounding_mode == "HALF_UP"
    assert store.active and store.code == "S01" and store.name == "Main Street"


def test_a_store_replays_to_the_same_state() -> None:
    store = Store.open(str(uuid4()), code="S01", currency="EUR", settings=settings(), now=NOW)
    store.assign_register(str(uuid4()), "R1")
    events = store.collect()
    again = Store.replay(store.id, events)
    assert again.settings == store.settings and again.registers == store.registers
    assert again.version == 2


def test_updating_records_only_a_real_change_and_names_it() -> None:
    store = opened()
    assert store.update(settings()) == []
    assert store.pending == ()
    new = settings(
        name="Main St.",
        rounding=RoundingPolicy(RoundingLevel.PER_TOTAL, RoundingMode.HALF_EVEN),
        cash_rounding_increment=None,
    )
    assert store.update(new) == ["name", "rounding", "cash_rounding_increment"]
    [event] = store.collect()
    assert isinstance(event, StoreUpdated)
    assert event.cash_rounding_increment is None and event.rounding_mode == "HALF_EVEN"
    assert store.settings == new


def test_a_closed_store_cannot_be_updated_closed_again_or_get_registers() -> None:
    store = opened()
    store.close(NOW, "  lease   ended ")
    assert store.collect()[0].reason == "lease ended"  # type: ignore[attr-defined]
    assert not store.active
    with pytest.raises(Conflict, match="closed"):
        store.close(NOW)
    with pytest.raises(Conflict, match="closed"):
        store.update(settings(name="Other"))
    with pytest.raises(Conflict, match="closed"):
        store.assign_register(str(uuid4()), "R9")


def test_register_codes_are_unique_within_a_store_forever() -> None:
    store = opened()
    first = str(uuid4())
    store.assign_register(first, "R1")
    [event] = store.collect()
    assert isinstance(event, RegisterAssigned) and event.code == "R1"
    with pytest.raises(DomainError, match="already has a register R1") as err:
        store.assign_register(str(uuid4()), "R1")
    assert err.value.code == "BAD_USER_INPUT" and err.value.field == "code"
    other = opened()
    other.assign_register(str(uuid4()), "R1")  # another store may use R1


def test_store_codes_are_claimed_once() -> None:
    claim = StoreCodeClaim.blank("s01")
    assert claim.id == store_code_claim_id("S01")
    owner = str(uuid4())
    claim.claim("S01", owner)
    claim.claim("S01", owner)  # the owner again: nothing new
    assert len(claim.collect()) == 1
    with pytest.raises(DomainError, match="already used") as err:
        claim.claim("S01", str(uuid4()))
    assert err.value.code == "BAD_USER_INPUT"


# -- registers ----------------------------------------------------------------------------


def test_registers_are_added_active_and_deactivated_once() -> None:
    register = Register.add(str(uuid4()), store_id="s", code="R1", name="  Till  one ")
    assert register.active and register.name == "Till one"
    register.collect()
    register.deactivate()
    [event] = register.collect()
    assert isinstance(event, RegisterDeactivated) and event.reason == "deactivated"
    with pytest.raises(Conflict, match="already inactive"):
        register.deactivate()


# -- tax regions --------------------------------------------------------------------------


def nl() -> TaxRegion:
    region = TaxRegion.blank("NL")
    region.define("NL", "Netherlands", {"STANDARD": Decimal(21), "REDUCED": Decimal(9)})
    region.collect()
    return region


def test_a_region_is_defined_once_under_its_code() -> None:
    region = nl()
    assert region.id == tax_region_id("nl") and region.rates["STANDARD"] == 21
    with pytest.raises(DomainError, match="already defined"):
        region.define("NL", "Netherlands", {})


def test_setting_a_rate_records_the_previous_one() -> None:
    region = nl()
    assert region.set_rate("STANDARD", Decimal("21.5"))
    assert region.set_rate("SUPER_REDUCED", Decimal("5"))
    assert not region.set_rate("REDUCED", Decimal("9.00"))
    first, second = region.collect()
    assert isinstance(first, TaxRateSet) and isinstance(second, TaxRateSet)
    assert (first.rate_percent, first.previous_rate_percent) == ("21.5", "21")
    assert second.previous_rate_percent is None
    assert region.rates == {"STANDARD": Decimal("21.5"), "REDUCED": 9, "SUPER_REDUCED": 5}


def test_the_zero_class_is_always_zero() -> None:
    region = nl()
    assert region.set_rate("ZERO", Decimal(0))
    with pytest.raises(DomainError, match="ZERO tax class is always 0%"):
        region.set_rate("ZERO", Decimal(5))
    with pytest.raises(DomainError, match="ZERO"):
        TaxRegion.blank("X").define("X", "X", {"ZERO": Decimal(1)})

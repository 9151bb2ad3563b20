"""Stores command handlers against a real event store (SQLite and PostgreSQL): the rules
that span streams (code claims, register codes per store, closing with registers), the
actor on every event, refused commands writing nothing, and the demo seed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest

from eventbus import Conflict, DomainError, NotFound, acting_as
from eventbus.sqlstore import SqlEventStore
from subgraphs.hosting.commands import execute
from subgraphs.stores.application import (
    DEMO_STORES,
    AddRegister,
    AddressInput,
    CloseStore,
    DeactivateRegister,
    DefineTaxRegion,
    OpenStore,
    SetTaxRate,
    StoresHandlers,
    UpdateStore,
    demo_store_id,
    seed_demo_stores,
)
from subgraphs.stores.domain import PricingMode, RoundingLevel, Store

ADDRESS = AddressInput(line1="Hoofdstraat 1", city="Amsterdam", postal_code="1011 AA", country="nl")
ACTOR = {"staffId": "manager-1", "name": "Max Manager", "roles": ["MANAGER"]}


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path, h6_pg_url: str
) -> AsyncIterator[SqlEventStore]:
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'stores.db'}" if request.param == "sqlite" else h6_pg_url
    )
    store = SqlEventStore(url)
    await store.start()
    yield store
    await store.close()


@pytest.fixture
def handlers(store: SqlEventStore) -> StoresHandlers:
    return StoresHandlers(store)


def unique(prefix: str) -> str:
    return f"{prefix}{uuid4().hex[:8]}".upper()


async def region(handlers: StoresHandlers, **rates: str) -> str:
    code = unique("R-")
    await execute(
        handlers.define_tax_region,
        DefineTaxRegion(
            code=code, name="Somewhere", rates=tuple((rates or {"STANDARD": "21"}).items())
        ),
    )
    return code


async def open_store(handlers: StoresHandlers, **kw: object) -> Store:
    fields: dict[str, object] = {
        "code": unique("S"),
        "name": "Main Street",
        "address": ADDRESS,
        "currency": "EUR",
        "tax_region": kw.pop("tax_region", None) or await region(handlers),
        "pricing_mode": "TAX_INCLUSIVE",
    }
    fields.update(kw)
    return (await execute(handlers.open_store, OpenStore(**fields))).value  # type: ignore[arg-type]


async def event_count(store: SqlEventStore) -> int:
    count = 0
    position = 0
    while page := await store.read_all(position, 1000):
        count += len(page)
        position = page[-1].position or position
    return count


async def test_opening_a_store_claims_its_code_and_records_the_actor(
    handlers: StoresHandlers, store: SqlEventStore
) -> None:
    code = await region(handlers)
    with acting_as(ACTOR):
        done = await execute(
            handlers.open_store,
            OpenStore(
                code=" s-main ",
                name="Main  Street",
                address=ADDRESS,
                currency="eur",
                tax_region=code.lower(),
                pricing_mode="tax_inclusive",
                cash_rounding_increment="0.05",
            ),
        )
    types = [e.type for e in done.envelopes]
    assert types == ["pos.stores.StoreCodeClaimed.v1", "pos.stores.StoreOpened.v1"]
    assert all(e.actor == ACTOR and e.topic == "pos.stores" for e in done.envelopes)
    opened = done.value
    assert opened.opened_at is not None and done.envelopes[1].data["opened_at"]
    assert opened.code == "S-MAIN" and opened.currency == "EUR" and opened.name == "Main Street"
    assert opened.settings is not None and opened.settings.tax_region == code
    assert opened.settings.address.country == "NL"
    assert (await handlers.store_by_code("s-main")) is not None


async def test_a_duplicate_store_code_is_bad_input_and_writes_nothing(
    handlers: StoresHandlers, store: SqlEventStore
) -> None:
    first = await open_store(handlers)
    before = await event_count(store)
    with pytest.raises(DomainError, match="already used") as err:
        await open_store(handlers, code=first.code.lower(), tax_region=first.settings.tax_region)  # type: ignore[union-attr]
    assert err.value.code == "BAD_USER_INPUT" and err.value.field == "code"
    assert await event_count(store) == before


async def test_two_openings_of_one_code_at_once_open_one_store(handlers: StoresHandlers) -> None:
    code, tax = unique("S"), await region(handlers)
    results = await asyncio.gather(
        open_store(handlers, code=code, tax_region=tax),
        open_store(handlers, code=code, tax_region=tax),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Store) for r in results) == 1
    assert sum(isinstance(r, DomainError) for r in results) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"currency": "XXX"}, "currency"),
        ({"tax_region": "NOWHERE-LAND"}, "taxRegion"),
        ({"pricing_mode": "GROSS"}, "pricingMode"),
        ({"rounding_mode": "DOWN"}, "rounding.mode"),
        ({"cash_rounding_increment": "0.001"}, "cashRoundingIncrement"),
        ({"return_window_days": -1}, "returnWindowDays"),
        ({"discount_approval_threshold_percent": "101"}, "discountApprovalThresholdPercent"),
        (
            {"address": AddressInput(line1="x", city="y", postal_code="1", country="NLD")},
            "address.country",
        ),
    ],
)
async def test_bad_store_settings_are_refused_with_their_field(
    handlers: StoresHandlers, store: SqlEventStore, change: dict[str, object], field: str
) -> None:
    tax = await region(handlers)
    before = await event_count(store)
    with pytest.raises(DomainError) as err:
        await open_store(handlers, **{"tax_region": tax, **change})
    assert err.value.code == "BAD_USER_INPUT" and err.value.field == field
    assert await event_count(store) == before


async def test_updating_changes_only_what_is_given(handlers: StoresHandlers) -> None:
    opened = await open_store(handlers, cash_rounding_increment="0.05")
    other = await region(handlers, STANDARD="8.875")
    done = await execute(
        handlers.update_store,
        UpdateStore(
            store_id=opened.id,
            tax_region=other,
            pricing_mode="TAX_EXCLUSIVE",
            rounding_level="PER_TOTAL",
            clear_cash_rounding=True,
        ),
    )
    updated = done.value.settings
    assert updated is not None
    assert updated.tax_region == other and updated.pricing_mode is PricingMode.TAX_EXCLUSIVE
    assert updated.rounding.level is RoundingLevel.PER_TOTAL
    assert updated.cash_rounding_increment is None and updated.name == "Main Street"
    [event] = done.envelopes
    assert event.data["changed"] == [
        "tax_region_id",
        "tax_region",
        "pricing_mode",
        "rounding",
        "cash_rounding_increment",
    ]
    again = await execute(
        handlers.update_store, UpdateStore(store_id=opened.id, name="Main Street")
    )
    assert again.envelopes == []


async def test_update_and_close_need_an_existing_store(handlers: StoresHandlers) -> None:
    with pytest.raises(NotFound):
        await execute(handlers.update_store, UpdateStore(store_id=str(uuid4()), name="x"))
    with pytest.raises(DomainError, match="valid store id"):
        await execute(handlers.close_store, CloseStore(store_id="S01"))


async def test_register_codes_are_unique_per_store(
    handlers: StoresHandlers, store: SqlEventStore
) -> None:
    one, two = await open_store(handlers), await open_store(handlers)
    added = await execute(handlers.add_register, AddRegister(store_id=one.id, code="r1"))
    assert [e.type for e in added.envelopes] == [
        "pos.stores.RegisterAssigned.v1",
        "pos.stores.RegisterAdded.v1",
    ]
    assert added.value.code == "R1" and added.value.name == "R1" and added.value.active
    await execute(handlers.add_register, AddRegister(store_id=two.id, code="R1"))
    before = await event_count(store)
    with pytest.raises(DomainError, match="already has a register R1") as err:
        await execute(handlers.add_register, AddRegister(store_id=one.id, code="R1", name="x"))
    assert err.value.code == "BAD_USER_INPUT"
    assert await event_count(store) == before
    with pytest.raises(NotFound):
        await execute(handlers.add_register, AddRegister(store_id=str(uuid4()), code="R1"))


async def test_two_registers_with_one_code_at_once_add_one(handlers: StoresHandlers) -> None:
    opened = await open_store(handlers)
    results = await asyncio.gather(
        *(
            execute(handlers.add_register, AddRegister(store_id=opened.id, code="R7"))
            for _ in range(3)
        ),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, DomainError) for r in results if isinstance(r, BaseException))


async def test_closing_a_store_deactivates_its_registers(handlers: StoresHandlers) -> None:
    opened = await open_store(handlers)
    r1 = (await execute(handlers.add_register, AddRegister(opened.id, "R1"))).value
    r2 = (await execute(handlers.add_register, AddRegister(opened.id, "R2"))).value
    await execute(handlers.deactivate_register, DeactivateRegister(r2.id))
    done = await execute(handlers.close_store, CloseStore(opened.id, reason="moved"))
    assert [e.type for e in done.envelopes] == [
        "pos.stores.StoreClosed.v1",
        "pos.stores.RegisterDeactivated.v1",
    ]
    assert done.envelopes[1].subject == r1.id
    assert done.envelopes[1].data["reason"] == "store closed"
    assert not (await handlers.registers.load(r1.id)).active
    with pytest.raises(Conflict, match="closed"):
        await execute(handlers.add_register, AddRegister(opened.id, "R3"))
    with pytest.raises(Conflict, match="closed"):
        await execute(handlers.close_store, CloseStore(opened.id))
    with pytest.raises(Conflict, match="already inactive"):
        await execute(handlers.deactivate_register, DeactivateRegister(r2.id))


async def test_tax_regions_define_and_set_rates(
    handlers: StoresHandlers, store: SqlEventStore
) -> None:
    code = unique("NL-")
    done = await execute(
        handlers.define_tax_region,
        DefineTaxRegion(code=code, name="Netherlands", rates=[("standard", "21"), ("ZERO", "0")]),
    )
    assert done.value.rates == {"STANDARD": 21, "ZERO": 0}
    rate = await execute(handlers.set_tax_rate, SetTaxRate(code, "reduced", "9"))
    assert rate.envelopes[0].data == {
        "region_id": done.value.id,
        "code": code,
        "tax_class": "REDUCED",
        "rate_percent": "9",
        "previous_rate_percent": None,
    }
    before = await event_count(store)
    for wrong in ("-1", "100", "abc"):
        with pytest.raises(DomainError) as err:
            await execute(handlers.set_tax_rate, SetTaxRate(code, "STANDARD", wrong))
        assert err.value.code == "BAD_USER_INPUT" and err.value.field == "ratePercent"
    with pytest.raises(DomainError, match="already defined"):
        await execute(handlers.define_tax_region, DefineTaxRegion(code=code, name="again"))
    with pytest.raises(DomainError) as bad_rate:
        await execute(
            handlers.define_tax_region,
            DefineTaxRegion(code=unique("X-"), name="x", rates=[("STANDARD", "100")]),
        )
    assert bad_rate.value.field == "rates.ratePercent"
    with pytest.raises(DomainError, match="twice") as twice:
        await execute(
            handlers.define_tax_region,
            DefineTaxRegion(
                code=unique("X-"), name="x", rates=[("standard", "1"), ("STANDARD", "2")]
            ),
        )
    assert twice.value.field == "rates.taxClass"
    with pytest.raises(NotFound):
        await execute(handlers.set_tax_rate, SetTaxRate("NOWHERE", "STANDARD", "1"))
    assert await event_count(store) == before


async def test_the_demo_seed_opens_two_stores_once(tmp_path: Path) -> None:
    store = SqlEventStore(f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    await store.start()
    try:
        handlers = StoresHandlers(store)
        assert await seed_demo_stores(store) > 0
        assert await seed_demo_stores(handlers) == 0
        s01 = await handlers.store_by_code("S01")
        s02 = await handlers.store_by_code("S02")
        assert s01 is not None and s02 is not None
        assert s01.id == demo_store_id("S01")
        assert sorted(s01.registers) == ["R1", "R2"] and sorted(s02.registers) == ["R1"]
        assert s01.settings is not None and s02.settings is not None
        assert s01.currency == "EUR" and s01.settings.pricing_mode is PricingMode.TAX_INCLUSIVE
        assert str(s01.settings.cash_rounding_increment) == "0.05"
        assert s02.currency == "USD" and s02.settings.pricing_mode is PricingMode.TAX_EXCLUSIVE
        nl = await handlers.region_by_code("NL")
        nyc = await handlers.region_by_code("US-NY-NYC")
        assert nl is not None and nyc is not None
        assert {k: str(v) for k, v in nl.rates.items()} == {
            "STANDARD": "21",
            "REDUCED": "9",
            "ZERO": "0",
        }
        assert str(nyc.rates["STANDARD"]) == "8.875"
        assert [d.code for d in DEMO_STORES] == ["S01", "S02"]
    finally:
        await store.close()

"""Demo stores for `pos run` and `pos seed`: an EU-style and a US-style store.

- Region NL (Netherlands): STANDARD 21%, REDUCED 9%, ZERO 0% (the Dutch VAT rates).
- Region US-NY-NYC (New York City): STANDARD 8.875% (4% state + 4.5% city + 0.375%
  MCTD), ZERO 0%.
- S01 "Main Street", Amsterdam: EUR, NL, tax-inclusive shelf prices, VAT rounded on the
  total half up, cash totals rounded to 0.05 (as Dutch shops do); registers R1 and R2.
- S02 "Broadway", New York: USD, US-NY-NYC, tax added at the till, rounded on the total
  half up, no cash rounding; register R1.

Idempotent: ids are stable (uuid5), and whatever exists already is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import NAMESPACE_URL, uuid5

from eventbus import EventStore
from subgraphs.hosting.commands import execute
from subgraphs.stores.application.commands import (
    AddRegister,
    AddressInput,
    DefineTaxRegion,
    OpenStore,
)
from subgraphs.stores.application.handlers import StoresHandlers


@dataclass(frozen=True)
class DemoRegion:
    code: str
    name: str
    rates: dict[str, str]


@dataclass(frozen=True)
class DemoStore:
    code: str
    name: str
    address: AddressInput
    currency: str
    tax_region: str
    pricing_mode: str
    rounding_level: str
    rounding_mode: str
    cash_rounding_increment: str | None
    registers: tuple[tuple[str, str], ...]
    """(code, name) of each register."""


DEMO_REGIONS: tuple[DemoRegion, ...] = (
    DemoRegion("NL", "Netherlands", {"STANDARD": "21", "REDUCED": "9", "ZERO": "0"}),
    DemoRegion("US-NY-NYC", "New York City, NY", {"STANDARD": "8.875", "ZERO": "0"}),
)

DEMO_STORES: tuple[DemoStore, ...] = (
    DemoStore(
        code="S01",
        name="Main Street",
        address=AddressInput(
            line1="Hoofdstraat 1", city="Amsterdam", postal_code="1011 AA", country="NL"
        ),
        currency="EUR",
        tax_region="NL",
        pricing_mode="TAX_INCLUSIVE",
        rounding_level="PER_TOTAL",
        rounding_mode="HALF_UP",
        cash_rounding_increment="0.05",
        registers=(("R1", "Register 1"), ("R2", "Register 2")),
    ),
    DemoStore(
        code="S02",
        name="Broadway",
        address=AddressInput(
            line1="1 Broadway", city="New York", postal_code="10004", region="NY", country="US"
        ),
        currency="USD",
        tax_region="US-NY-NYC",
        pricing_mode="TAX_EXCLUSIVE",
        rounding_level="PER_TOTAL",
        rounding_mode="HALF_UP",
        cash_rounding_increment=None,
        registers=(("R1", "Register 1"),),
    ),
)


def demo_store_id(code: str) -> str:
    """Stable ids, so a second seed finds what the first one made."""
    return str(uuid5(NAMESPACE_URL, f"pos:seed:stores:{code}"))


def demo_register_id(store_code: str, register_code: str) -> str:
    return str(uuid5(NAMESPACE_URL, f"pos:seed:stores:{store_code}:{register_code}"))


async def seed_demo_stores(target: EventStore | StoresHandlers) -> int:
    """Define the demo tax regions and open the demo stores with their registers, where
    missing (into `target`, a store or handlers); returns how many events were written
    (0 when everything exists). A store code someone else holds is left alone."""
    handlers = target if isinstance(target, StoresHandlers) else StoresHandlers(target)
    written = 0
    for region in DEMO_REGIONS:
        if await handlers.region_by_code(region.code) is None:
            done = await execute(
                handlers.define_tax_region,
                DefineTaxRegion(
                    code=region.code, name=region.name, rates=tuple(region.rates.items())
                ),
            )
            written += len(done.envelopes)
    for demo in DEMO_STORES:
        store_id = demo_store_id(demo.code)
        store = await handlers.store_by_code(demo.code)
        if store is None:
            opened = await execute(
                handlers.open_store,
                OpenStore(
                    code=demo.code,
                    name=demo.name,
                    address=demo.address,
                    currency=demo.currency,
                    tax_region=demo.tax_region,
                    pricing_mode=demo.pricing_mode,
                    rounding_level=demo.rounding_level,
                    rounding_mode=demo.rounding_mode,
                    cash_rounding_increment=demo.cash_rounding_increment,
                    store_id=store_id,
                ),
            )
            written += len(opened.envelopes)
            store = opened.value
        if store.id != store_id or not store.active:
            continue  # not ours, or closed since: leave it alone
        for code, name in demo.registers:
            if code in store.registers:
                continue
            added = await execute(
                handlers.add_register,
                AddRegister(
                    store_id=store_id,
                    code=code,
                    name=name,
                    register_id=demo_register_id(demo.code, code),
                ),
            )
            written += len(added.envelopes)
    return written

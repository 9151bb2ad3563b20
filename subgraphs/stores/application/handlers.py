"""Stores command handlers: validate, load, decide, save in one unit of work.

Every input is validated before anything is loaded or appended, so a refused command
writes nothing. A store and its code claim, a register and its store's assignment, a
closing store and its registers' deactivations: each pair is one transaction.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import TypeVar
from uuid import uuid4

from eventbus import Conflict, DomainError, EventStore, NotFound
from eventbus.repository import EventSourcedRepository
from subgraphs.hosting.commands import Handled
from subgraphs.stores.application.commands import (
    AddRegister,
    AddressInput,
    CloseStore,
    DeactivateRegister,
    DefineTaxRegion,
    OpenStore,
    SetTaxRate,
    UpdateStore,
)
from subgraphs.stores.application.ports import Clock, utcnow
from subgraphs.stores.domain import (
    STORE_CLOSED,
    Address,
    PricingMode,
    Register,
    RoundingLevel,
    RoundingMode,
    RoundingPolicy,
    Store,
    StoreCodeClaim,
    StoreSettings,
    TaxRegion,
    parse_address,
    parse_cash_increment,
    parse_currency,
    parse_id,
    parse_name,
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

E = TypeVar("E", bound=StrEnum)


def parse_choice(kind: type[E], value: str, field: str) -> E:
    try:
        return kind(value.strip().upper())
    except ValueError:
        known = ", ".join(k.value for k in kind)
        raise DomainError(f"{field} {value[:30]!r} is not one of {known}", field=field) from None


def address_of(given: AddressInput) -> Address:
    return parse_address(
        line1=given.line1,
        line2=given.line2,
        city=given.city,
        postal_code=given.postal_code,
        region=given.region,
        country=given.country,
    )


class StoresHandlers:
    def __init__(self, store: EventStore, clock: Clock = utcnow) -> None:
        self.store = store
        self.clock = clock
        self.stores = EventSourcedRepository(store, Store)
        self.claims = EventSourcedRepository(store, StoreCodeClaim)
        self.registers = EventSourcedRepository(store, Register)
        self.regions = EventSourcedRepository(store, TaxRegion)

    # -- stores -----------------------------------------------------------------------

    async def open_store(self, command: OpenStore) -> Handled[Store]:
        code = parse_store_code(command.code)
        currency = parse_currency(command.currency)
        name = parse_name(command.name)
        address = address_of(command.address)
        region_code = parse_region_code(command.tax_region)
        pricing = parse_choice(PricingMode, command.pricing_mode, "pricingMode")
        rounding = RoundingPolicy(
            parse_choice(RoundingLevel, command.rounding_level, "rounding.level"),
            parse_choice(RoundingMode, command.rounding_mode, "rounding.mode"),
        )
        increment = (
            parse_cash_increment(command.cash_rounding_increment, currency)
            if command.cash_rounding_increment is not None
            else None
        )
        window = parse_return_window(command.return_window_days)
        threshold = parse_percent(command.discount_approval_threshold_percent)
        store_id = self._new_id(command.store_id, "id", "store")
        region = await self._region(region_code)
        if await self.stores.get(store_id) is not None:
            raise Conflict(f"store {store_id} already exists", field="id")
        claim = await self.claims.get(store_code_claim_id(code)) or StoreCodeClaim.blank(code)
        claim.claim(code, store_id)
        settings = StoreSettings(
            name=name,
            address=address,
            tax_region_id=region.id,
            tax_region=region.code,
            pricing_mode=pricing,
            rounding=rounding,
            cash_rounding_increment=increment,
            return_window_days=window,
            discount_approval_threshold_percent=threshold,
        )
        store = Store.open(
            store_id, code=code, currency=currency, settings=settings, now=self.clock()
        )
        async with self.store.unit_of_work() as uow:
            envelopes = await self.claims.save(claim, uow=uow)
            envelopes += await self.stores.save(store, uow=uow)
        return Handled(store, envelopes)

    async def update_store(self, command: UpdateStore) -> Handled[Store]:
        store_id = parse_id(command.store_id, "id", "store")
        if command.clear_cash_rounding and command.cash_rounding_increment is not None:
            raise DomainError(
                "give cashRoundingIncrement or turn cash rounding off, not both",
                field="cashRoundingIncrement",
            )
        store = await self._store(store_id)
        current = store.settings
        if current is None:  # pragma: no cover - a stream always starts with StoreOpened
            raise NotFound(f"store {store_id} does not exist", field="id")
        region_id, region_code = current.tax_region_id, current.tax_region
        if command.tax_region is not None:
            region = await self._region(parse_region_code(command.tax_region))
            region_id, region_code = region.id, region.code
        rounding = current.rounding
        if command.rounding_level is not None or command.rounding_mode is not None:
            rounding = RoundingPolicy(
                parse_choice(RoundingLevel, command.rounding_level, "rounding.level")
                if command.rounding_level is not None
                else rounding.level,
                parse_choice(RoundingMode, command.rounding_mode, "rounding.mode")
                if command.rounding_mode is not None
                else rounding.mode,
            )
        increment: Decimal | None = current.cash_rounding_increment
        if command.clear_cash_rounding:
            increment = None
        elif command.cash_rounding_increment is not None:
            increment = parse_cash_increment(command.cash_rounding_increment, store.currency)
        settings = StoreSettings(
            name=parse_name(command.name) if command.name is not None else current.name,
            address=address_of(command.address) if command.address is not None else current.address,
            tax_region_id=region_id,
            tax_region=region_code,
            pricing_mode=parse_choice(PricingMode, command.pricing_mode, "pricingMode")
            if command.pricing_mode is not None
            else current.pricing_mode,
            rounding=rounding,
            cash_rounding_increment=increment,
            return_window_days=parse_return_window(command.return_window_days)
            if command.return_window_days is not None
            else current.return_window_days,
            discount_approval_threshold_percent=parse_percent(
                command.discount_approval_threshold_percent
            )
            if command.discount_approval_threshold_percent is not None
            else current.discount_approval_threshold_percent,
        )
        store.update(settings)
        return Handled(store, await self.stores.save(store))

    async def close_store(self, command: CloseStore) -> Handled[Store]:
        store = await self._store(parse_id(command.store_id, "id", "store"))
        store.close(self.clock(), command.reason)
        registers = [await self.registers.load(rid) for rid in store.registers.values()]
        for register in registers:
            if register.active:
                register.deactivate(STORE_CLOSED)
        async with self.store.unit_of_work() as uow:
            envelopes = await self.stores.save(store, uow=uow)
            for register in registers:
                envelopes += await self.registers.save(register, uow=uow)
        return Handled(store, envelopes)

    # -- registers --------------------------------------------------------------------

    async def add_register(self, command: AddRegister) -> Handled[Register]:
        store_id = parse_id(command.store_id, "storeId", "store")
        code = parse_register_code(command.code)
        name = parse_name(command.name, "name") if command.name is not None else code
        register_id = self._new_id(command.register_id, "id", "register")
        store = await self.stores.get(store_id)
        if store is None:
            raise NotFound(f"store {store_id} does not exist", field="storeId")
        if await self.registers.get(register_id) is not None:
            raise Conflict(f"register {register_id} already exists", field="id")
        store.assign_register(register_id, code)
        register = Register.add(register_id, store_id=store_id, code=code, name=name)
        async with self.store.unit_of_work() as uow:
            envelopes = await self.stores.save(store, uow=uow)
            envelopes += await self.registers.save(register, uow=uow)
        return Handled(register, envelopes)

    async def deactivate_register(self, command: DeactivateRegister) -> Handled[Register]:
        register_id = parse_id(command.register_id, "id", "register")
        register = await self.registers.get(register_id)
        if register is None:
            raise NotFound(f"register {register_id} does not exist", field="id")
        register.deactivate()
        return Handled(register, await self.registers.save(register))

    # -- tax regions ------------------------------------------------------------------

    async def define_tax_region(self, command: DefineTaxRegion) -> Handled[TaxRegion]:
        code = parse_region_code(command.code, "code")
        name = parse_name(command.name)
        rates: dict[str, Decimal] = {}
        for raw_class, raw_rate in command.rates:
            tax_class = parse_tax_class(raw_class, "rates.taxClass")
            if tax_class in rates:
                raise DomainError(f"rates name {tax_class} twice", field="rates.taxClass")
            rates[tax_class] = parse_rate(raw_rate, "rates.ratePercent")
        region = await self.regions.get(tax_region_id(code)) or TaxRegion.blank(code)
        region.define(code, name, rates)
        return Handled(region, await self.regions.save(region))

    async def set_tax_rate(self, command: SetTaxRate) -> Handled[TaxRegion]:
        code = parse_region_code(command.region, "region")
        tax_class = parse_tax_class(command.tax_class)
        rate = parse_rate(command.rate_percent)
        region = await self.regions.get(tax_region_id(code))
        if region is None:
            raise NotFound(
                f"tax region {code} is not defined: define it first (defineTaxRegion)",
                field="region",
            )
        region.set_rate(tax_class, rate)
        return Handled(region, await self.regions.save(region))

    # -- look-ups (write model: no read-model lag) --------------------------------------

    async def store_by_code(self, raw_code: str) -> Store | None:
        try:
            code = parse_store_code(raw_code)
        except DomainError:
            return None
        claim = await self.claims.get(store_code_claim_id(code))
        if claim is None or claim.owner_id is None:
            return None
        return await self.stores.get(claim.owner_id)

    async def region_by_code(self, raw_code: str) -> TaxRegion | None:
        try:
            code = parse_region_code(raw_code)
        except DomainError:
            return None
        return await self.regions.get(tax_region_id(code))

    # -- helpers ----------------------------------------------------------------------

    async def _store(self, store_id: str) -> Store:
        store = await self.stores.get(store_id)
        if store is None:
            raise NotFound(f"store {store_id} does not exist", field="id")
        return store

    async def _region(self, code: str) -> TaxRegion:
        """A region a store names: unknown is the caller's bad input (taxRegion)."""
        region = await self.regions.get(tax_region_id(code))
        if region is None:
            raise DomainError(
                f"tax region {code} is not defined: define it first (defineTaxRegion)",
                field="taxRegion",
            )
        return region

    @staticmethod
    def _new_id(given: str | None, field: str, what: str) -> str:
        return parse_id(given, field, what) if given is not None else str(uuid4())

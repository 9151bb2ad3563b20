"""The stores subgraph: stores, registers and tax regions for any signed-in member
(`@authenticated`); opening, changing and closing them needs `stores:manage`.

The SDL carries `@authenticated` / `@requiresScopes` for the gateway, and each resolver
checks the same again against the caller's verified claims (`caller`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import strawberry
from strawberry import federation
from strawberry.types import Info

from eventbus import DomainError
from eventbus.time_travel import check_instant
from subgraphs.hosting.commands import Executed, read_your_writes
from subgraphs.hosting.connection import Connection, connection_from_page
from subgraphs.hosting.money import Money
from subgraphs.hosting.pagination import paginate
from subgraphs.hosting.schema import SubgraphSchema, runtime_of
from subgraphs.stores.application import (
    AddRegister,
    AddressInput,
    CloseStore,
    DeactivateRegister,
    DefineTaxRegion,
    OpenStore,
    SetTaxRate,
    UpdateStore,
)
from subgraphs.stores.domain import Register as RegisterAggregate
from subgraphs.stores.domain import Store as StoreAggregate
from subgraphs.stores.domain import TaxRegion as TaxRegionAggregate
from subgraphs.stores.domain import parse_id
from subgraphs.stores.graphql.caller import MANAGE, require_caller, require_scope
from subgraphs.stores.graphql.inputs import (
    AddRegisterInput,
    DefineTaxRegionInput,
    OpenStoreInput,
    StoreAddressInput,
    UpdateStoreInput,
)
from subgraphs.stores.graphql.runtime import StoresRuntime
from subgraphs.stores.graphql.types import (
    Register,
    Store,
    TaxRegion,
    register_as_of,
    store_as_of,
)
from subgraphs.stores.projections import RegisterView, StoreView, TaxRegionView

SEARCH_MAX = 100


def _runtime(info: Info) -> StoresRuntime:
    return runtime_of(info, StoresRuntime)


def _address(given: StoreAddressInput) -> AddressInput:
    return AddressInput(
        line1=given.line1,
        line2=given.line2,
        city=given.city,
        postal_code=given.postal_code,
        region=given.region,
        country=given.country,
    )


async def _store_payload(executed: Executed[StoreAggregate]) -> Store:
    return await read_your_writes(
        executed, lambda s: StoreView.get(s.id), Store.from_view, Store.from_aggregate
    )


async def _register_payload(executed: Executed[RegisterAggregate]) -> Register:
    return await read_your_writes(
        executed, lambda r: RegisterView.get(r.id), Register.from_view, Register.from_aggregate
    )


async def _region_payload(executed: Executed[TaxRegionAggregate]) -> TaxRegion:
    return await read_your_writes(
        executed,
        lambda r: TaxRegionView.get(r.id),
        TaxRegion.from_view,
        TaxRegion.from_aggregate,
    )


@strawberry.type
class Query:
    @federation.field(
        authenticated=True, description="Stores by code; `search` matches code or name."
    )
    async def stores(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        active: bool | None = None,
        search: str | None = None,
    ) -> Connection[Store]:
        require_caller(info)
        filters: dict[str, Any] = {}
        if active is not None:
            filters["active"] = active
        if search is not None and search.strip():
            if len(search) > SEARCH_MAX:
                raise DomainError(f"search must be at most {SEARCH_MAX} characters", field="search")
            pattern = re.escape(search.strip())
            filters["$or"] = [
                {"code": {"$regex": pattern, "$options": "i"}},
                {"name": {"$regex": pattern, "$options": "i"}},
            ]
        page = await paginate(
            StoreView, filters, order_by="code", first=first, after=after, last=last, before=before
        )
        return connection_from_page(page.map(Store.from_view))

    @federation.field(authenticated=True)
    async def store(
        self, info: Info, id: strawberry.ID, as_of: datetime | None = None
    ) -> Store | None:
        require_caller(info)
        store_id = parse_id(id, "id", "store")
        if as_of is not None:
            return await store_as_of(info, store_id, check_instant(as_of))
        view = await StoreView.get(store_id)
        return Store.from_view(view) if view else None

    @federation.field(authenticated=True)
    async def register(
        self, info: Info, id: strawberry.ID, as_of: datetime | None = None
    ) -> Register | None:
        require_caller(info)
        register_id = parse_id(id, "id", "register")
        if as_of is not None:
            return await register_as_of(info, register_id, check_instant(as_of))
        view = await RegisterView.get(register_id)
        return Register.from_view(view) if view else None

    @federation.field(authenticated=True, description="Every tax region, by code.")
    async def tax_regions(self, info: Info) -> list[TaxRegion]:
        require_caller(info)
        views = await TaxRegionView.find_all().sort("code").to_list()
        return [TaxRegion.from_view(view) for view in views]


@strawberry.type
class Mutation:
    @federation.mutation(requires_scopes=[[MANAGE]], description="Open a new, active store.")
    async def open_store(self, info: Info, input: OpenStoreInput) -> Store:
        require_scope(info, MANAGE)
        runtime = _runtime(info)
        command = OpenStore(
            code=input.code,
            name=input.name,
            address=_address(input.address),
            currency=input.currency,
            tax_region=input.tax_region,
            pricing_mode=input.pricing_mode.value,
            rounding_level=input.rounding.level.value if input.rounding else "PER_LINE",
            rounding_mode=input.rounding.mode.value if input.rounding else "HALF_UP",
            cash_rounding_increment=input.cash_rounding_increment,
            return_window_days=input.return_window_days,
            discount_approval_threshold_percent=input.discount_approval_threshold_percent,
            store_id=input.id,
        )
        return await _store_payload(await runtime.run(runtime.handlers.open_store, command))

    @federation.mutation(requires_scopes=[[MANAGE]])
    async def update_store(self, info: Info, input: UpdateStoreInput) -> Store:
        require_scope(info, MANAGE)
        runtime = _runtime(info)
        increment = input.cash_rounding_increment
        command = UpdateStore(
            store_id=input.id,
            name=input.name,
            address=_address(input.address) if input.address is not None else None,
            tax_region=input.tax_region,
            pricing_mode=input.pricing_mode.value if input.pricing_mode is not None else None,
            rounding_level=input.rounding.level.value if input.rounding else None,
            rounding_mode=input.rounding.mode.value if input.rounding else None,
            cash_rounding_increment=increment if isinstance(increment, str) else None,
            clear_cash_rounding=increment is None,
            return_window_days=input.return_window_days,
            discount_approval_threshold_percent=input.discount_approval_threshold_percent,
        )
        return await _store_payload(await runtime.run(runtime.handlers.update_store, command))

    @federation.mutation(
        requires_scopes=[[MANAGE]],
        description="The store stops trading; its registers are deactivated.",
    )
    async def close_store(self, info: Info, id: strawberry.ID, reason: str = "") -> Store:
        require_scope(info, MANAGE)
        runtime = _runtime(info)
        command = CloseStore(store_id=id, reason=reason)
        return await _store_payload(await runtime.run(runtime.handlers.close_store, command))

    @federation.mutation(requires_scopes=[[MANAGE]])
    async def add_register(self, info: Info, input: AddRegisterInput) -> Register:
        require_scope(info, MANAGE)
        runtime = _runtime(info)
        command = AddRegister(
            store_id=input.store_id, code=input.code, name=input.name, register_id=input.id
        )
        return await _register_payload(await runtime.run(runtime.handlers.add_register, command))

    @federation.mutation(requires_scopes=[[MANAGE]])
    async def deactivate_register(self, info: Info, id: strawberry.ID) -> Register:
        require_scope(info, MANAGE)
        runtime = _runtime(info)
        command = DeactivateRegister(register_id=id)
        return await _register_payload(
            await runtime.run(runtime.handlers.deactivate_register, command)
        )

    @federation.mutation(requires_scopes=[[MANAGE]])
    async def define_tax_region(self, info: Info, input: DefineTaxRegionInput) -> TaxRegion:
        require_scope(info, MANAGE)
        runtime = _runtime(info)
        command = DefineTaxRegion(
            code=input.code,
            name=input.name,
            rates=[(rate.tax_class, rate.rate_percent) for rate in input.rates],
        )
        return await _region_payload(await runtime.run(runtime.handlers.define_tax_region, command))

    @federation.mutation(
        requires_scopes=[[MANAGE]],
        description="Set one class's rate in a region, from now on (not effective-dated).",
    )
    async def set_tax_rate(
        self, info: Info, region: str, tax_class: str, rate_percent: str
    ) -> TaxRegion:
        require_scope(info, MANAGE)
        runtime = _runtime(info)
        command = SetTaxRate(region=region, tax_class=tax_class, rate_percent=rate_percent)
        return await _region_payload(await runtime.run(runtime.handlers.set_tax_rate, command))


schema = SubgraphSchema(query=Query, mutation=Mutation, types=[Money, Store, Register])

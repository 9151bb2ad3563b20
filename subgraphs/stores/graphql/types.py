"""Stores GraphQL types: the `Store` and `Register` entities, tax regions and rates."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import federation
from strawberry.types import Info

from subgraphs.hosting import history
from subgraphs.hosting.history import HistoryConnection, StaffMember
from subgraphs.hosting.money import Money
from subgraphs.hosting.schema import loaders_of
from subgraphs.stores.domain import Register as RegisterAggregate
from subgraphs.stores.domain import Store as StoreAggregate
from subgraphs.stores.domain import TaxRegion as TaxRegionAggregate
from subgraphs.stores.domain import canonical, parse_id
from subgraphs.stores.projections import (
    RegisterView,
    StoreView,
    TaxRegionView,
    register_fold,
    store_fold,
)

AS_OF = (
    "The instant this state is of (null: now). Set when the entity was asked for `asOf` an "
    "instant; references to other entities answer as of the same instant where their "
    "subgraph keeps history."
)
HISTORY = (
    "The events of this entity's stream, newest first (up to `asOf`, when set); `first` "
    "at most 100."
)


@strawberry.enum(
    description="Whether shelf prices include tax: TAX_INCLUSIVE (EU: tax is worked out of "
    "the price) or TAX_EXCLUSIVE (US: tax is added at the till)."
)
class PricingMode(Enum):
    TAX_INCLUSIVE = "TAX_INCLUSIVE"
    TAX_EXCLUSIVE = "TAX_EXCLUSIVE"


@strawberry.enum(description="Where tax is rounded to the currency's smallest unit.")
class RoundingLevel(Enum):
    PER_LINE = "PER_LINE"
    PER_TOTAL = "PER_TOTAL"


@strawberry.enum(description="How a half of the smallest unit is rounded.")
class RoundingMode(Enum):
    HALF_UP = "HALF_UP"
    HALF_EVEN = "HALF_EVEN"


@strawberry.type(description="A store's postal address; `country` is ISO 3166-1 alpha-2.")
class StoreAddress:
    line1: str
    line2: str | None
    city: str
    postal_code: str
    region: str | None = strawberry.field(description="State, province or county.")
    country: str

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> StoreAddress:
        return cls(
            line1=data["line1"],
            line2=data.get("line2") or None,
            city=data["city"],
            postal_code=data["postal_code"],
            region=data.get("region") or None,
            country=data["country"],
        )


@strawberry.type(description="How a store rounds tax.")
class RoundingPolicy:
    level: RoundingLevel
    mode: RoundingMode


@strawberry.type(description="The rate of one tax class.")
class TaxRate:
    tax_class: str = strawberry.field(
        description="STANDARD, REDUCED, ZERO, or a further class the region names."
    )
    rate_percent: str = strawberry.field(description='Exact decimal percent, e.g. "8.875".')


def _rates(rates: dict[str, str]) -> list[TaxRate]:
    return [TaxRate(tax_class=k, rate_percent=rates[k]) for k in sorted(rates)]


@strawberry.type(description="Where a store trades, and the tax rate of each class there.")
class TaxRegion:
    id: strawberry.ID
    code: str = strawberry.field(description="E.g. NL or US-NY-NYC.")
    name: str
    rates: list[TaxRate]

    @classmethod
    def from_view(cls, view: TaxRegionView) -> TaxRegion:
        return cls(
            id=strawberry.ID(view.id), code=view.code, name=view.name, rates=_rates(view.rates)
        )

    @classmethod
    def from_aggregate(cls, region: TaxRegionAggregate) -> TaxRegion:
        rates = {k: canonical(v) for k, v in region.rates.items()}
        return cls(
            id=strawberry.ID(region.id), code=region.code, name=region.name, rates=_rates(rates)
        )


@federation.type(keys=["id", "id asOf"], description="A location that sells, with its registers.")
class Store:
    id: strawberry.ID
    code: str = strawberry.field(description="Short and unique, upper-case, e.g. S01.")
    name: str
    address: StoreAddress
    currency: str = strawberry.field(description="ISO 4217; fixed when the store opens.")
    pricing_mode: PricingMode
    rounding: RoundingPolicy
    cash_rounding_increment: Money | None = strawberry.field(
        description="Cash totals are rounded to a multiple of this (e.g. 0.05); null: none."
    )
    return_window_days: int = strawberry.field(
        description="Returns later than this need a supervisor."
    )
    discount_approval_threshold_percent: str = strawberry.field(
        description="Discounts above this percentage need a supervisor's approval."
    )
    active: bool = strawberry.field(description="False once the store is closed.")
    opened_at: datetime
    closed_at: datetime | None
    opened_by: StaffMember | None = strawberry.field(
        description="Who opened the store (the StoreOpened event's actor); null: the system."
    )
    tax_region_id: strawberry.Private[str]
    as_of: datetime | None = strawberry.field(default=None, description=AS_OF)

    @strawberry.field(description=HISTORY)
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> HistoryConnection:
        return await history.history(
            history.store_of(info),
            store_fold,
            str(self.id),
            first=first,
            after=after,
            until=self.as_of,
        )

    @strawberry.field(description="The store's tax region.")
    async def tax_region(self, info: Info) -> TaxRegion | None:
        view = await loaders_of(info).by(TaxRegionView).load(self.tax_region_id)
        return TaxRegion.from_view(view) if view else None

    @strawberry.field(description="The store's tax table: its region's rate per tax class.")
    async def tax_rates(self, info: Info) -> list[TaxRate]:
        view = await loaders_of(info).by(TaxRegionView).load(self.tax_region_id)
        return _rates(view.rates) if view else []

    @strawberry.field(description="The store's registers by code; `active` filters them.")
    async def registers(self, active: bool | None = None) -> list[Register]:
        query: dict[str, object] = {"store_id": str(self.id)}
        if active is not None:
            query["active"] = active
        views = await RegisterView.find(query).sort("code").to_list()
        return [Register.from_view(view) for view in views]

    @classmethod
    def from_view(cls, view: StoreView, as_of: datetime | None = None) -> Store:
        increment = view.cash_rounding_increment
        return cls(
            id=strawberry.ID(view.id),
            code=view.code,
            name=view.name,
            address=StoreAddress.from_dict(view.address),
            currency=view.currency,
            pricing_mode=PricingMode(view.pricing_mode),
            rounding=RoundingPolicy(
                level=RoundingLevel(view.rounding_level), mode=RoundingMode(view.rounding_mode)
            ),
            cash_rounding_increment=Money(amount=increment, currency=view.currency)
            if increment is not None
            else None,
            return_window_days=view.return_window_days,
            discount_approval_threshold_percent=view.discount_approval_threshold_percent,
            active=view.active,
            opened_at=view.opened_at,
            closed_at=view.closed_at,
            opened_by=StaffMember(id=strawberry.ID(view.opened_by)) if view.opened_by else None,
            tax_region_id=view.tax_region_id,
            as_of=as_of,
        )

    @classmethod
    def from_aggregate(cls, store: StoreAggregate) -> Store:
        """The write model's answer (the view lags): it does not know who opened it."""
        settings = store.settings
        assert settings is not None and store.opened_at is not None
        increment = settings.cash_rounding_increment
        return cls(
            id=strawberry.ID(store.id),
            code=store.code,
            name=settings.name,
            address=StoreAddress.from_dict(settings.address.as_dict()),
            currency=store.currency,
            pricing_mode=PricingMode(settings.pricing_mode.value),
            rounding=RoundingPolicy(
                level=RoundingLevel(settings.rounding.level.value),
                mode=RoundingMode(settings.rounding.mode.value),
            ),
            cash_rounding_increment=Money(amount=canonical(increment), currency=store.currency)
            if increment is not None
            else None,
            return_window_days=settings.return_window_days,
            discount_approval_threshold_percent=canonical(
                settings.discount_approval_threshold_percent
            ),
            active=store.active,
            opened_at=store.opened_at,
            closed_at=store.closed_at,
            opened_by=None,
            tax_region_id=settings.tax_region_id,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info, id: strawberry.ID, asOf: str | None = None
    ) -> Store | None:
        store_id = parse_id(id, "id", "store")
        if asOf is not None:
            return await store_as_of(info, store_id, history.representation_instant(asOf))
        view = await loaders_of(info).by(StoreView).load(store_id)
        return cls.from_view(view) if view else None


@federation.type(keys=["id", "id asOf"], description="A till of one store.")
class Register:
    id: strawberry.ID
    code: str = strawberry.field(description="Unique within its store, e.g. R1.")
    name: str
    active: bool = strawberry.field(description="Inactive registers cannot be used.")
    store_id: strawberry.Private[str]
    as_of: datetime | None = strawberry.field(default=None, description=AS_OF)

    @strawberry.field
    async def store(self, info: Info) -> Store | None:
        if self.as_of is not None:
            return await store_as_of(info, self.store_id, self.as_of)
        view = await loaders_of(info).by(StoreView).load(self.store_id)
        return Store.from_view(view) if view else None

    @strawberry.field(description=HISTORY)
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> HistoryConnection:
        return await history.history(
            history.store_of(info),
            register_fold,
            str(self.id),
            first=first,
            after=after,
            until=self.as_of,
        )

    @classmethod
    def from_view(cls, view: RegisterView, as_of: datetime | None = None) -> Register:
        return cls(
            id=strawberry.ID(view.id),
            code=view.code,
            name=view.name,
            active=view.active,
            store_id=view.store_id,
            as_of=as_of,
        )

    @classmethod
    def from_aggregate(cls, register: RegisterAggregate) -> Register:
        return cls(
            id=strawberry.ID(register.id),
            code=register.code,
            name=register.name,
            active=register.active,
            store_id=register.store_id,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info, id: strawberry.ID, asOf: str | None = None
    ) -> Register | None:
        register_id = parse_id(id, "id", "register")
        if asOf is not None:
            return await register_as_of(info, register_id, history.representation_instant(asOf))
        view = await loaders_of(info).by(RegisterView).load(register_id)
        return cls.from_view(view) if view else None


async def store_as_of(info: Info, store_id: str, instant: datetime) -> Store | None:
    """The store as it was at `instant`, from its stream (its registers and tax table
    answer as now: they are other streams)."""
    view, at = await history.entity_as_of(history.store_of(info), store_fold, store_id, instant)
    return Store.from_view(view, as_of=at) if view else None


async def register_as_of(info: Info, register_id: str, instant: datetime) -> Register | None:
    """The register as it was at `instant`, its store as of the same instant."""
    store = history.store_of(info)
    view, at = await history.entity_as_of(store, register_fold, register_id, instant)
    return Register.from_view(view, as_of=at) if view else None

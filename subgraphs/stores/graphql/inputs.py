"""Stores mutation inputs."""

from __future__ import annotations

import strawberry

from subgraphs.stores.graphql.types import PricingMode, RoundingLevel, RoundingMode


@strawberry.input
class StoreAddressInput:
    line1: str
    line2: str | None = None
    city: str
    postal_code: str
    region: str | None = strawberry.field(default=None, description="State, province or county.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2, e.g. NL or US.")


@strawberry.input
class RoundingPolicyInput:
    level: RoundingLevel = RoundingLevel.PER_LINE
    mode: RoundingMode = RoundingMode.HALF_UP


@strawberry.input
class OpenStoreInput:
    code: str = strawberry.field(description="Short and unique, e.g. S01 (never reused).")
    name: str
    address: StoreAddressInput
    currency: str = strawberry.field(description="ISO 4217, e.g. EUR; cannot change later.")
    tax_region: str = strawberry.field(description="A defined tax region's code, e.g. NL.")
    pricing_mode: PricingMode
    rounding: RoundingPolicyInput | None = strawberry.field(
        default=None, description="Default: PER_LINE, HALF_UP."
    )
    cash_rounding_increment: str | None = strawberry.field(
        default=None, description='E.g. "0.05"; null: no cash rounding.'
    )
    return_window_days: int = 30
    discount_approval_threshold_percent: str = "20"
    id: strawberry.ID | None = strawberry.field(
        default=None, description="Optional client-chosen UUID (makes retries safe)."
    )


@strawberry.input(description="Only the fields given change.")
class UpdateStoreInput:
    id: strawberry.ID
    name: str | None = None
    address: StoreAddressInput | None = None
    tax_region: str | None = None
    pricing_mode: PricingMode | None = None
    rounding: RoundingPolicyInput | None = strawberry.field(
        default=None, description="Replaces the whole policy (omitted parts: the defaults)."
    )
    cash_rounding_increment: str | None = strawberry.field(
        default=strawberry.UNSET, description="Null turns cash rounding off; omit to keep it."
    )
    return_window_days: int | None = None
    discount_approval_threshold_percent: str | None = None


@strawberry.input
class AddRegisterInput:
    store_id: strawberry.ID
    code: str = strawberry.field(description="Unique within the store, e.g. R1 (never reused).")
    name: str | None = strawberry.field(default=None, description="Default: the code.")
    id: strawberry.ID | None = strawberry.field(
        default=None, description="Optional client-chosen UUID (makes retries safe)."
    )


@strawberry.input
class TaxRateInput:
    tax_class: str = strawberry.field(description="STANDARD, REDUCED, ZERO or another name.")
    rate_percent: str = strawberry.field(description='At least 0 and below 100, e.g. "21".')


@strawberry.input
class DefineTaxRegionInput:
    code: str = strawberry.field(description="E.g. NL or US-NY-NYC.")
    name: str
    rates: list[TaxRateInput] = strawberry.field(default_factory=list)

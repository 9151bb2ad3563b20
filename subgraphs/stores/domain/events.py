"""Events of the stores context, published on `pos.stores` (`pos.stores.<Name>.v1`).

Decimals (rates, percentages, increments) are exact decimal strings. Who caused each
event is the envelope's `actor` (stamped by the event store from the caller's identity),
not a field here, as in every context.
"""

from __future__ import annotations

from datetime import datetime

from eventbus import DomainEvent, event


@event("pos.stores.StoreCodeClaimed")
class StoreCodeClaimed(DomainEvent):
    """The store code guard stream: `code` now belongs to `store_id` (for good)."""

    code: str
    store_id: str


@event("pos.stores.StoreOpened")
class StoreOpened(DomainEvent):
    store_id: str
    code: str
    name: str
    address: dict[str, str]
    """line1, line2, city, postal_code, region, country (ISO 3166-1 alpha-2)."""
    currency: str
    tax_region_id: str
    tax_region: str
    """The region's code, e.g. NL."""
    pricing_mode: str
    """TAX_INCLUSIVE or TAX_EXCLUSIVE."""
    rounding_level: str
    """PER_LINE or PER_TOTAL."""
    rounding_mode: str
    """HALF_UP or HALF_EVEN."""
    cash_rounding_increment: str | None
    """E.g. "0.05": cash totals are rounded to it; None: no cash rounding."""
    return_window_days: int
    discount_approval_threshold_percent: str
    opened_at: datetime


@event("pos.stores.StoreUpdated")
class StoreUpdated(DomainEvent):
    """The store's settings after the update, whole; `changed` names what differs
    (snake_case field names). The code and the currency never change."""

    store_id: str
    changed: list[str]
    name: str
    address: dict[str, str]
    tax_region_id: str
    tax_region: str
    pricing_mode: str
    rounding_level: str
    rounding_mode: str
    cash_rounding_increment: str | None
    return_window_days: int
    discount_approval_threshold_percent: str


@event("pos.stores.StoreClosed")
class StoreClosed(DomainEvent):
    """The store no longer trades; its registers are deactivated in the same write."""

    store_id: str
    reason: str
    closed_at: datetime


@event("pos.stores.RegisterAssigned")
class RegisterAssigned(DomainEvent):
    """The store's stream: register `code` is taken in this store (for good), by
    `register_id`. Appended with the register's RegisterAdded, in one transaction."""

    store_id: str
    register_id: str
    code: str


@event("pos.stores.RegisterAdded")
class RegisterAdded(DomainEvent):
    register_id: str
    store_id: str
    code: str
    name: str


@event("pos.stores.RegisterDeactivated")
class RegisterDeactivated(DomainEvent):
    register_id: str
    store_id: str
    reason: str
    """``deactivated`` (a manager's command) or ``store closed``."""


@event("pos.stores.TaxRegionDefined")
class TaxRegionDefined(DomainEvent):
    region_id: str
    code: str
    name: str
    rates: dict[str, str]
    """Tax class -> rate in percent (decimal string), e.g. {"STANDARD": "21"}."""


@event("pos.stores.TaxRateSet")
class TaxRateSet(DomainEvent):
    """A class's rate in a region, from now on (rates are not effective-dated)."""

    region_id: str
    code: str
    tax_class: str
    rate_percent: str
    previous_rate_percent: str | None
    """None: the region had no rate for this class before."""

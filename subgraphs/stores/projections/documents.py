"""Read models of the stores context (MongoDB via Beanie), shaped for the GraphQL queries.

Decimals stay the exact strings the events carry. `opened_by` / `added_by` are the staff
id of the event's actor (None: the system, e.g. the seed).
"""

from __future__ import annotations

from datetime import datetime

from beanie import Document

from eventbus.readmodel import AppliedMixin


class StoreView(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the store id, not an ObjectId
    code: str
    name: str
    address: dict[str, str]
    currency: str
    tax_region_id: str
    tax_region: str
    pricing_mode: str
    rounding_level: str
    rounding_mode: str
    cash_rounding_increment: str | None = None
    return_window_days: int
    discount_approval_threshold_percent: str
    active: bool = True
    opened_at: datetime
    opened_by: str | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None

    class Settings:
        name = "stores"
        # One index per document: FerretDB 1.24 drops the connection when a restart
        # re-creates two or more existing indexes in one createIndexes call.
        indexes = ["code"]


class RegisterView(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the register id
    store_id: str
    code: str
    name: str
    active: bool = True
    added_at: datetime
    added_by: str | None = None
    deactivated_at: datetime | None = None

    class Settings:
        name = "stores_registers"
        indexes = ["store_id"]


class TaxRegionView(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the region id (uuid5 of its code)
    code: str
    name: str
    rates: dict[str, str]
    """Tax class -> rate in percent."""

    class Settings:
        name = "stores_tax_regions"
        indexes = ["code"]

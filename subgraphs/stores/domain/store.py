"""The Store aggregate: a location that sells, with its money and tax settings and the
codes of its registers.

The store's stream also holds the register codes it gave out (`RegisterAssigned`): two
registers added with one code at the same moment both expect the store's version, and
the loser's retry sees the code taken; a register added while the store closes races
the same way, so no active register belongs to a closed store.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from eventbus import Aggregate, Conflict, DomainError, DomainEvent
from subgraphs.stores.domain.events import (
    RegisterAssigned,
    StoreClosed,
    StoreOpened,
    StoreUpdated,
)
from subgraphs.stores.domain.values import (
    DISCOUNT_THRESHOLD_DEFAULT,
    RETURN_WINDOW_DEFAULT,
    Address,
    PricingMode,
    RoundingLevel,
    RoundingMode,
    RoundingPolicy,
    address_from,
    canonical,
)

CLOSE_REASON_MAX = 200
DEFAULT_ROUNDING = RoundingPolicy()


@dataclass(frozen=True, slots=True)
class StoreSettings:
    """Everything about a store a manager may change after opening it (validated)."""

    name: str
    address: Address
    tax_region_id: str
    tax_region: str
    pricing_mode: PricingMode
    rounding: RoundingPolicy = DEFAULT_ROUNDING
    cash_rounding_increment: Decimal | None = None
    return_window_days: int = RETURN_WINDOW_DEFAULT
    discount_approval_threshold_percent: Decimal = DISCOUNT_THRESHOLD_DEFAULT

    def as_event_fields(self) -> dict[str, Any]:
        increment = self.cash_rounding_increment
        return {
            "name": self.name,
            "address": self.address.as_dict(),
            "tax_region_id": self.tax_region_id,
            "tax_region": self.tax_region,
            "pricing_mode": self.pricing_mode.value,
            "rounding_level": self.rounding.level.value,
            "rounding_mode": self.rounding.mode.value,
            "cash_rounding_increment": canonical(increment) if increment is not None else None,
            "return_window_days": self.return_window_days,
            "discount_approval_threshold_percent": canonical(
                self.discount_approval_threshold_percent
            ),
        }

    @classmethod
    def from_event(cls, event: StoreOpened | StoreUpdated) -> StoreSettings:
        increment = event.cash_rounding_increment
        return cls(
            name=event.name,
            address=address_from(event.address),
            tax_region_id=event.tax_region_id,
            tax_region=event.tax_region,
            pricing_mode=PricingMode(event.pricing_mode),
            rounding=RoundingPolicy(
                RoundingLevel(event.rounding_level), RoundingMode(event.rounding_mode)
            ),
            cash_rounding_increment=Decimal(increment) if increment is not None else None,
            return_window_days=event.return_window_days,
            discount_approval_threshold_percent=Decimal(event.discount_approval_threshold_percent),
        )


class Store(Aggregate):
    context: ClassVar[str] = "stores"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.opened = False
        self.code = ""
        self.currency = ""
        self.settings: StoreSettings | None = None
        self.active = False
        self.opened_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.registers: dict[str, str] = {}
        """Register code -> register id, every register this store ever had."""

    @classmethod
    def open(
        cls, store_id: str, *, code: str, currency: str, settings: StoreSettings, now: datetime
    ) -> Store:
        """A new, active store. `code`, `currency` and `settings` arrive validated."""
        store = cls(store_id)
        store._record(
            StoreOpened(
                store_id=store_id,
                code=code,
                currency=currency,
                opened_at=now,
                **settings.as_event_fields(),
            )
        )
        return store

    @property
    def name(self) -> str:
        return self.settings.name if self.settings is not None else ""

    def update(self, settings: StoreSettings) -> list[str]:
        """Change the settings; the names of the fields that changed (none: nothing
        recorded)."""
        self._require_open("update")
        assert self.settings is not None
        changed = [
            f.name
            for f in fields(StoreSettings)
            if getattr(settings, f.name) != getattr(self.settings, f.name)
        ]
        if changed:
            self._record(
                StoreUpdated(store_id=self.id, changed=changed, **settings.as_event_fields())
            )
        return changed

    def close(self, now: datetime, reason: str = "") -> None:
        self._require_open("close")
        text = " ".join(reason.split())
        if len(text) > CLOSE_REASON_MAX:
            raise DomainError(
                f"reason must be at most {CLOSE_REASON_MAX} characters", field="reason"
            )
        self._record(StoreClosed(store_id=self.id, reason=text, closed_at=now))

    def assign_register(self, register_id: str, code: str) -> None:
        """Give `code` (validated) to a new register of this store."""
        self._require_open("add a register to")
        owner = self.registers.get(code)
        if owner is not None:
            raise DomainError(
                f"store {self.code} already has a register {code}; choose another code",
                field="code",
                register=owner,
            )
        self._record(RegisterAssigned(store_id=self.id, register_id=register_id, code=code))

    def _require_open(self, what: str) -> None:
        if not self.active:
            raise Conflict(f"cannot {what} store {self.code}: it is closed", field="id")

    def apply(self, event: DomainEvent) -> None:
        match event:
            case StoreOpened():
                self.opened = True
                self.code = event.code
                self.currency = event.currency
                self.settings = StoreSettings.from_event(event)
                self.active = True
                self.opened_at = event.opened_at
            case StoreUpdated():
                self.settings = StoreSettings.from_event(event)
            case StoreClosed():
                self.active = False
                self.closed_at = event.closed_at
            case RegisterAssigned():
                self.registers[event.code] = event.register_id

"""The TaxRegion aggregate: the rate of each tax class where a store trades.

A region's stream id derives from its code (uuid5), so a code names one region and
defining it twice is refused by the region's own stream. Rates are in percent, at least
0 and below 100; the ZERO class is always 0. A store's tax table is its region's rates.
Rates are not effective-dated: a change applies from the moment it is recorded (a sale
keeps the rate it was rung up with).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar
from uuid import NAMESPACE_URL, uuid5

from eventbus import Aggregate, DomainError, DomainEvent
from subgraphs.stores.domain.events import TaxRateSet, TaxRegionDefined
from subgraphs.stores.domain.values import TaxClass, canonical

_NAMESPACE = uuid5(NAMESPACE_URL, "pos:stores:tax-regions")
MAX_CLASSES = 50


def tax_region_id(code: str) -> str:
    """The stream of the region with this code (any case)."""
    return str(uuid5(_NAMESPACE, code.strip().casefold()))


def _check(tax_class: str, rate: Decimal) -> None:
    if tax_class == TaxClass.ZERO and rate != 0:
        raise DomainError(
            f"the ZERO tax class is always 0%, got {canonical(rate)}: use another class "
            "name for this rate",
            field="ratePercent",
        )


class TaxRegion(Aggregate):
    context: ClassVar[str] = "stores"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.defined = False
        self.code = ""
        self.name = ""
        self.rates: dict[str, Decimal] = {}

    @classmethod
    def blank(cls, code: str) -> TaxRegion:
        return cls(tax_region_id(code))

    def define(self, code: str, name: str, rates: Mapping[str, Decimal]) -> None:
        """Define this region (`code`, `name`, `rates` validated)."""
        if self.defined:
            raise DomainError(
                f"tax region {self.code} is already defined: change its rates with setTaxRate",
                field="code",
            )
        if len(rates) > MAX_CLASSES:
            raise DomainError(f"a region has at most {MAX_CLASSES} tax classes", field="rates")
        for tax_class, rate in rates.items():
            _check(tax_class, rate)
        self._record(
            TaxRegionDefined(
                region_id=self.id,
                code=code,
                name=name,
                rates={k: canonical(v) for k, v in rates.items()},
            )
        )

    def set_rate(self, tax_class: str, rate: Decimal) -> bool:
        """Set one class's rate; False (nothing recorded) when it already is that."""
        _check(tax_class, rate)
        previous = self.rates.get(tax_class)
        if previous == rate:
            return False
        if previous is None and len(self.rates) >= MAX_CLASSES:
            raise DomainError(f"a region has at most {MAX_CLASSES} tax classes", field="taxClass")
        self._record(
            TaxRateSet(
                region_id=self.id,
                code=self.code,
                tax_class=tax_class,
                rate_percent=canonical(rate),
                previous_rate_percent=canonical(previous) if previous is not None else None,
            )
        )
        return True

    def apply(self, event: DomainEvent) -> None:
        match event:
            case TaxRegionDefined():
                self.defined = True
                self.code = event.code
                self.name = event.name
                self.rates = {k: Decimal(v) for k, v in event.rates.items()}
            case TaxRateSet():
                self.rates[event.tax_class] = Decimal(event.rate_percent)

"""Projection `sales.stores`: pos.stores events -> `SaleStore`, `SaleRegister`,
`SaleTaxRegion`: what a sale needs of its store (currency, pricing and rounding, cash
rounding, return window, approval threshold), its registers and its region's rates.

Reads the stores context's event names and data keys (snake_case), not its classes.
"""

from __future__ import annotations

from typing import Any

from beanie import Document

from eventbus import Envelope, topic_for
from eventbus.projection import Projection
from eventbus.readmodel import AppliedMixin, is_applied, mark_applied
from subgraphs.sales.projections.documents import SaleRegister, SaleStore, SaleTaxRegion

_DOCUMENT: dict[str, type[Document]] = {
    **{f"pos.stores.{n}.v1": SaleStore for n in ("StoreOpened", "StoreUpdated", "StoreClosed")},
    **{f"pos.stores.{n}.v1": SaleRegister for n in ("RegisterAdded", "RegisterDeactivated")},
    **{f"pos.stores.{n}.v1": SaleTaxRegion for n in ("TaxRegionDefined", "TaxRateSet")},
}
SETTINGS = (
    "name",
    "address",
    "tax_region_id",
    "tax_region",
    "pricing_mode",
    "rounding_level",
    "rounding_mode",
    "cash_rounding_increment",
    "return_window_days",
    "discount_approval_threshold_percent",
)


class StoresDirectory(Projection):
    name = "sales.stores"
    topics = (topic_for("stores"),)

    async def _current(self, envelope: Envelope) -> Any:
        document = _DOCUMENT.get(envelope.type)
        return await document.get(envelope.subject) if document is not None else None

    async def has_applied(self, envelope: Envelope) -> bool:
        if envelope.type not in _DOCUMENT:
            return True
        return is_applied(await self._current(envelope), envelope)

    async def apply(self, envelope: Envelope) -> None:
        if envelope.type not in _DOCUMENT:
            return
        doc = await self._current(envelope)
        if is_applied(doc, envelope):
            return
        data = envelope.data
        name = envelope.type.removeprefix("pos.stores.").removesuffix(".v1")
        if name == "StoreOpened":
            doc = SaleStore(
                id=envelope.subject,
                code=data["code"],
                currency=data["currency"],
                **{key: data[key] for key in SETTINGS if key in data},
            )
        elif name == "RegisterAdded":
            doc = SaleRegister(
                id=envelope.subject,
                store_id=data["store_id"],
                code=data["code"],
                name=data["name"],
            )
        elif name == "TaxRegionDefined":
            doc = SaleTaxRegion(id=envelope.subject, code=data["code"], rates=data["rates"])
        elif doc is None:
            raise LookupError(f"{envelope.type} for {envelope.subject} before its creation")
        elif name == "StoreUpdated":
            for key in SETTINGS:
                setattr(doc, key, data.get(key))
        elif name in ("StoreClosed", "RegisterDeactivated"):
            doc.active = False
        elif name == "TaxRateSet":
            doc.rates = {**doc.rates, data["tax_class"]: data["rate_percent"]}
        assert isinstance(doc, AppliedMixin) and isinstance(doc, Document)
        mark_applied(doc, envelope)
        await doc.save()

    async def reset(self) -> None:
        await SaleStore.delete_all()
        await SaleRegister.delete_all()
        await SaleTaxRegion.delete_all()

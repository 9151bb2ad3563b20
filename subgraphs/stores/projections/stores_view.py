"""Projection `stores.view`: pos.stores events -> `StoreView`, `RegisterView`,
`TaxRegionView` (one document per stream).

Idempotent: each document records the last version applied per stream and ignores
anything at or below it. Events it does not model (code claims, a store's register
assignments) count as applied.
"""

from __future__ import annotations

from typing import Any

from beanie import Document

from eventbus import Envelope, topic_for
from eventbus.projection import Projection
from eventbus.readmodel import is_applied, mark_applied
from eventbus.repository import to_domain
from subgraphs.stores.domain import (
    RegisterAdded,
    RegisterDeactivated,
    StoreClosed,
    StoreOpened,
    StoreUpdated,
    TaxRateSet,
    TaxRegionDefined,
)
from subgraphs.stores.projections.documents import RegisterView, StoreView, TaxRegionView

_DOCUMENT: dict[str, type[Document]] = {
    **{e.event_type: StoreView for e in (StoreOpened, StoreUpdated, StoreClosed)},
    **{e.event_type: RegisterView for e in (RegisterAdded, RegisterDeactivated)},
    **{e.event_type: TaxRegionView for e in (TaxRegionDefined, TaxRateSet)},
}

_SETTINGS = (
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


def _staff(envelope: Envelope) -> str | None:
    staff = (envelope.actor or {}).get("staffId")
    return str(staff) if staff else None


class StoresView(Projection):
    name = "stores.view"
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
        changed = evolve(doc, envelope)
        if changed is None:
            return
        mark_applied(changed, envelope)
        await changed.save()

    async def reset(self) -> None:
        await StoreView.delete_all()
        await RegisterView.delete_all()
        await TaxRegionView.delete_all()


View = StoreView | RegisterView | TaxRegionView


def evolve(doc: Any, envelope: Envelope) -> View | None:
    """The view after `envelope` (pure, no I/O; changes `doc` in place); None when the
    event changes nothing. `apply` and time travel (`asOf`, `history`) both fold with it."""
    event = to_domain(envelope)
    match event:
        case StoreOpened():
            return StoreView(
                id=envelope.subject,
                code=event.code,
                currency=event.currency,
                opened_at=event.opened_at,
                opened_by=_staff(envelope),
                **{name: getattr(event, name) for name in _SETTINGS},
            )
        case StoreUpdated() if isinstance(doc, StoreView):
            for name in _SETTINGS:
                setattr(doc, name, getattr(event, name))
        case StoreClosed() if isinstance(doc, StoreView):
            doc.active = False
            doc.closed_at = event.closed_at
            doc.close_reason = event.reason or None
        case RegisterAdded():
            return RegisterView(
                id=envelope.subject,
                store_id=event.store_id,
                code=event.code,
                name=event.name,
                added_at=envelope.time,
                added_by=_staff(envelope),
            )
        case RegisterDeactivated() if isinstance(doc, RegisterView):
            doc.active = False
            doc.deactivated_at = envelope.time
        case TaxRegionDefined():
            return TaxRegionView(
                id=envelope.subject, code=event.code, name=event.name, rates=event.rates
            )
        case TaxRateSet() if isinstance(doc, TaxRegionView):
            doc.rates = {**doc.rates, event.tax_class: event.rate_percent}
        case _:
            return None
    changed: View = doc
    return changed


def store_fold(doc: StoreView | None, envelope: Envelope) -> StoreView | None:
    """`evolve` for a store's stream only (another stream folds to nothing)."""
    changed = evolve(doc, envelope)
    return changed if isinstance(changed, StoreView) else None


def register_fold(doc: RegisterView | None, envelope: Envelope) -> RegisterView | None:
    """`evolve` for a register's stream only."""
    changed = evolve(doc, envelope)
    return changed if isinstance(changed, RegisterView) else None

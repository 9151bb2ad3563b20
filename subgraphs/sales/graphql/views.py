"""From read-model documents to GraphQL answers, and the checks of query arguments."""

from __future__ import annotations

from datetime import datetime

from eventbus import EventStore
from subgraphs.hosting import history
from subgraphs.sales.domain import SaleInputError
from subgraphs.sales.graphql.types import Shift
from subgraphs.sales.projections import ShiftView, shift_fold, shift_of

ARG_MAX = 100


def text_arg(value: str, field: str) -> str:
    """An id or code argument: 1-100 characters (BAD_USER_INPUT otherwise)."""
    text = str(value).strip()
    if not text or len(text) > ARG_MAX:
        raise SaleInputError(
            f"{field} must be 1 to {ARG_MAX} characters", reason="INVALID_ID", field=field
        )
    return text


def receipt_number_of(value: str) -> str:
    """Receipt numbers are upper-case (`S01-R1-000042`); a typed one may not be."""
    return text_arg(value, "number").upper()


def shift_from_view(view: ShiftView) -> Shift:
    """Its live figures are as of its last change (the same answer every time asked)."""
    return Shift.from_aggregate(
        shift_of(view),
        now=view.changed_at or view.opened_at,
        opened_at=view.opened_at,
        closed_at=view.closed_at,
    )


async def shift_as_of(store: EventStore, shift_id: str, instant: datetime) -> Shift | None:
    """The shift as it was at `instant` (figures as of its last change by then)."""
    view, at = await history.entity_as_of(store, shift_fold, shift_id, instant)
    if view is None:
        return None
    shift = shift_from_view(view)
    shift.as_of = at
    return shift

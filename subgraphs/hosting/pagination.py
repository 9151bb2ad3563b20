"""Relay-style cursor pagination over Beanie queries, independent of the GraphQL library.

Keyset, not offset: a cursor is the opaque (base64 JSON) pair (sort value, id) of an
item, and the next page asks for items strictly after it in (sort value, id) order. A
document inserted or deleted while someone pages therefore never shifts or repeats the
items they have not seen yet. `first`/`after` and `last`/`before` are both supported,
over the list in ascending or descending (sort value, id) order.

A cursor remembers the order it was issued for: a descending cursor carries a third
value, `"desc"`. Passing a cursor from one order to a list in the other is refused as
BAD_USER_INPUT rather than silently answered, because "after this item" means the
opposite set of items in the other order and a client that flips the sort mid-paging has
almost certainly kept a stale cursor. (Ascending cursors keep their two-value form.)
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
from beanie import Document, SortDirection

from eventbus import DomainError

D = TypeVar("D", bound=Document)
T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: the items, each item's cursor, and where the page sits."""

    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    total_count: int

    @property
    def start_cursor(self) -> str | None:
        return self.cursors[0] if self.cursors else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None

    def map(self, convert: Any) -> Page[Any]:
        """The same page with every item converted (documents -> GraphQL types)."""
        return Page(
            items=[convert(item) for item in self.items],
            cursors=self.cursors,
            has_next_page=self.has_next_page,
            has_previous_page=self.has_previous_page,
            total_count=self.total_count,
        )


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode().rstrip("=")


def decode_cursor(cursor: str, size: int = 2) -> list[Any]:
    """The values in `cursor`; a cursor we did not issue is a BAD_USER_INPUT error."""
    values = _values(cursor)
    if values is None or len(values) != size:
        raise _not_ours(cursor)
    return values


def _values(cursor: str) -> list[Any] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        return None
    return values if isinstance(values, list) else None


def _not_ours(cursor: str) -> DomainError:
    return DomainError(
        f"cursor {cursor[:60]!r} is not valid here: pass an endCursor/startCursor "
        "from a previous page of this same list",
        field="cursor",
    )


_DESCENDING = "desc"


def _decode_position(cursor: str, name: str, *, descending: bool) -> list[Any]:
    """The (sort value, id) in `cursor`, refused when it was issued for the other order."""
    values = _values(cursor)
    if values is None or values[2:] not in ([], [_DESCENDING]) or len(values) < 2:
        raise _not_ours(cursor)
    issued_descending = values[2:] == [_DESCENDING]
    if issued_descending != descending:
        issued, asked = (
            ("descending", "ascending") if issued_descending else ("ascending", "descending")
        )
        raise DomainError(
            f"`{name}` is a cursor from the {issued} order of this list, but this request "
            f"asks for the {asked} order: keep the order you started paging with, or start "
            "again without `after`/`before`",
            field=name,
        )
    return values[:2]


def _check_size(name: str, value: int | None) -> None:
    if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
        raise DomainError(
            f"`{name}` must be between 0 and {MAX_PAGE_SIZE}, got {value}", field=name
        )


async def paginate(
    model: type[D],
    filters: Mapping[str, Any],
    *,
    order_by: str,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    descending: bool = False,
) -> Page[D]:
    """A page of `model` documents matching `filters`, ordered by (`order_by`, _id),
    ascending unless `descending`.

    `order_by` is a document field holding a JSON scalar (string or number). Without
    `first` or `last`, the first DEFAULT_PAGE_SIZE items are returned. `after` and
    `before` are positions in the list's own order: with `descending`, "after" means
    smaller sort values.
    """
    _check_size("first", first)
    _check_size("last", last)
    if first is not None and last is not None:
        raise DomainError("pass either `first` or `last`, not both", field="last")
    backward = last is not None or (before is not None and first is None)
    size = (last if backward else first) or 0
    if (last if backward else first) is None:
        size = DEFAULT_PAGE_SIZE
    clauses: list[Mapping[str, Any]] = [filters] if filters else []
    after_op, before_op = ("$lt", "$gt") if descending else ("$gt", "$lt")
    if after is not None:
        position = _decode_position(after, "after", descending=descending)
        clauses.append(_beyond(order_by, position, after_op))
    if before is not None:
        position = _decode_position(before, "before", descending=descending)
        clauses.append(_beyond(order_by, position, before_op))
    query: dict[str, Any] = {"$and": clauses} if clauses else {}
    # Read towards the page from its near end: forwards in the list's order for
    # `first`, backwards (then reversed) for `last`.
    reads_down = descending != backward
    direction = SortDirection.DESCENDING if reads_down else SortDirection.ASCENDING
    total = await model.find(dict(filters)).count()
    found = (
        await model.find(query)
        .sort([(order_by, direction), ("_id", direction)])
        .limit(size + 1)
        .to_list()
        if size
        else []
    )
    more = len(found) > size
    items = found[:size]
    if backward:
        items.reverse()
    marker = [_DESCENDING] if descending else []
    cursors = [encode_cursor([getattr(doc, order_by), doc.id, *marker]) for doc in items]
    return Page(
        items=items,
        cursors=cursors,
        has_next_page=more if not backward else before is not None,
        has_previous_page=more if backward else after is not None,
        total_count=total,
    )


def _beyond(order_by: str, values: list[Any], op: str) -> dict[str, Any]:
    value, key = values
    return {"$or": [{order_by: {op: value}}, {order_by: value, "_id": {op: key}}]}

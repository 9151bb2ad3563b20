"""Relay-style cursor pagination over Beanie queries, independent of the GraphQL library.

Keyset, not offset: a cursor is the opaque (base64 JSON) pair (sort value, id) of an
item, and the next page asks for items strictly after it in (sort value, id) order. A
document inserted or deleted while someone pages therefore never shifts or repeats the
items they have not seen yet. `first`/`after` and `last`/`before` are both supported.
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
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise DomainError(
            f"cursor {cursor[:60]!r} is not valid here: pass an endCursor/startCursor "
            "from a previous page of this same list",
            field="cursor",
        )
    return values


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
) -> Page[D]:
    """A page of `model` documents matching `filters`, ordered by (`order_by`, _id).

    `order_by` is a document field holding a JSON scalar (string or number). Without
    `first` or `last`, the first DEFAULT_PAGE_SIZE items are returned.
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
    if after is not None:
        clauses.append(_beyond(order_by, decode_cursor(after), "$gt"))
    if before is not None:
        clauses.append(_beyond(order_by, decode_cursor(before), "$lt"))
    query: dict[str, Any] = {"$and": clauses} if clauses else {}
    direction = SortDirection.DESCENDING if backward else SortDirection.ASCENDING
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
    cursors = [encode_cursor([getattr(doc, order_by), doc.id]) for doc in items]
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

"""Relay connection types for Strawberry subgraphs, built from a `pagination.Page`.

`PageInfo` is @shareable: every subgraph that pages declares the same value type, and
Federation lets them only if each one says so.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry
from strawberry import federation

from subgraphs.hosting.pagination import Page

T = TypeVar("T")


@federation.type(shareable=True, description="Where a page sits in its list (Relay).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Items in the whole list, all pages.")

    @strawberry.field(description="The nodes of `edges`, for clients that need no cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def connection_from_page(page: Page[T]) -> Connection[T]:
    return Connection(
        edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, page.items, strict=True)],
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.start_cursor,
            end_cursor=page.end_cursor,
        ),
        total_count=page.total_count,
    )

"""Cursor rules shared by every connection (paging itself is tested through the subgraphs)."""

from __future__ import annotations

import pytest

from eventbus import DomainError
from subgraphs.hosting.pagination import decode_cursor, encode_cursor


def test_cursors_round_trip_and_are_opaque() -> None:
    cursor = encode_cursor(["SKU-1", "6f1c1a43"])
    assert "SKU" not in cursor
    assert decode_cursor(cursor) == ["SKU-1", "6f1c1a43"]


@pytest.mark.parametrize("cursor", ["", "garbage!", encode_cursor(["only one"]), "e30"])
def test_foreign_cursors_are_bad_input(cursor: str) -> None:
    with pytest.raises(DomainError, match="not valid here"):
        decode_cursor(cursor)

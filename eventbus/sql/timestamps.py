"""Times are stored in UTC.

SQLite's DATETIME drops the offset rather than converting it, so a non-UTC time is
converted before it is written, and a naive time read back is UTC by construction.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)

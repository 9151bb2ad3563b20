"""Read model of the staff list (MongoDB via Beanie). No secret or hash is ever copied here."""

from __future__ import annotations

from datetime import datetime

from beanie import Document

from eventbus.readmodel import AppliedMixin


class StaffView(AppliedMixin, Document):
    id: str  # type: ignore[assignment]  # the staff id, not an ObjectId
    username: str
    display_name: str
    roles: list[str]
    active: bool = True
    locked_until: datetime | None = None
    hired_at: datetime

    class Settings:
        name = "staff_members"
        # One index per document: FerretDB 1.24 drops the connection when a restart
        # re-creates two or more existing indexes in one createIndexes call.
        indexes = ["username"]

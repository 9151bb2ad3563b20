"""The customers read model: one document per customer, searchable by name, phone, email."""

from __future__ import annotations

from datetime import datetime

import pymongo
from beanie import Document
from pydantic import BaseModel
from pymongo import IndexModel

from eventbus.readmodel import AppliedMixin


class AddressView(BaseModel):
    line1: str
    line2: str = ""
    city: str
    postal_code: str
    country: str


class CustomerView(Document, AppliedMixin):
    id: str  # type: ignore[assignment]
    name: str
    sort_name: str
    """Lower-cased name: the order of `customers` pages."""
    email: str
    phone: str
    address: AddressView
    registered_at: datetime
    updated_at: datetime

    class Settings:
        name = "customers"
        indexes = [IndexModel([("sort_name", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)])]

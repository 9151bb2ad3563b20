"""The SQL event store on both backends, held to the event-store contract."""

from __future__ import annotations

import pytest

from eventbus.sqlstore import SqlEventStore
from tests.eventbus.contracts.store_contract import EventStoreContract


class TestSqliteEventStore(EventStoreContract):
    @pytest.fixture
    def store(self, sqlite_store: SqlEventStore) -> SqlEventStore:
        return sqlite_store


class TestPostgresEventStore(EventStoreContract):
    @pytest.fixture
    def store(self, pg_store: SqlEventStore) -> SqlEventStore:
        return pg_store

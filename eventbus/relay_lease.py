"""Who may drain the outbox: one relay at a time, the others on standby.

Several relay processes run for availability, but only one publishes. Two relays each
claiming rows (``FOR UPDATE SKIP LOCKED``) would publish different rows of one aggregate
at the same time, and Kafka would receive them in whichever order the two producers got
there: per-aggregate order, which every consumer relies on, would be lost. So the relays
elect a leader instead: the one holding a PostgreSQL session-level advisory lock drains;
the others try to take the lock every `standby_interval` seconds. The lock lives on a
connection of its own (never a pooled one, which the pool may recycle), and PostgreSQL
releases it when that session ends, so a relay that is killed, or whose host disappears,
is replaced within about the standby interval (plus TCP keepalive time for a host that
vanished without closing its connection).

The active relay checks its lock connection before every drain and stops at once when it
is gone. The one overlap left (the check passed, then the connection died while a batch
was on its way) can publish that batch twice, in order; consumers deduplicate by stream
version, as they must for a relay crash anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from abc import ABC, abstractmethod
from typing import Any

log = logging.getLogger(__name__)

LOCK_KEY = zlib.crc32(b"pos.outbox.relay")
"""The advisory-lock key of the relay leadership (one per event-store database)."""
CHECK_TIMEOUT = 2.0


class RelayLease(ABC):
    """The right to drain: `acquire` tries without waiting; `held` re-checks it."""

    @abstractmethod
    async def acquire(self) -> bool: ...

    @abstractmethod
    async def held(self) -> bool: ...

    @abstractmethod
    async def release(self) -> None: ...


class SoleRelay(RelayLease):
    """No election: the store has one relay by construction (embedded mode, SQLite)."""

    async def acquire(self) -> bool:
        return True

    async def held(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class AdvisoryLockLease(RelayLease):
    """Leadership = holding ``pg_try_advisory_lock(LOCK_KEY)`` on a dedicated session."""

    def __init__(self, dsn: str, *, key: int = LOCK_KEY) -> None:
        self.dsn = dsn.replace("postgresql+asyncpg://", "postgresql://", 1)
        self.key = key
        self._conn: Any = None

    async def acquire(self) -> bool:
        import asyncpg

        if self._conn is not None and await self.held():
            return True
        try:
            self._conn = await asyncpg.connect(self.dsn, timeout=CHECK_TIMEOUT * 2)
            got = bool(await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", self.key))
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("relay lease: cannot reach PostgreSQL to take the lock: %s", exc)
            await self.release()
            return False
        if not got:
            await self.release()
        return got

    async def held(self) -> bool:
        conn = self._conn
        if conn is None or conn.is_closed():
            return False
        try:
            await asyncio.wait_for(conn.fetchval("SELECT 1"), CHECK_TIMEOUT)
        except Exception as exc:
            log.warning("relay lease: lock session lost (%s); standing down", exc)
            await self.release()
            return False
        return True

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), CHECK_TIMEOUT)
            if not conn.is_closed():
                conn.terminate()


def lease_for(store_url: str) -> RelayLease:
    """The lease a relay of the store at `store_url` needs."""
    if store_url.startswith("postgresql"):
        return AdvisoryLockLease(store_url)
    return SoleRelay()

"""The entity cache's shared store: Redis, so every gateway instance serves what any filled.

Layout, under a configurable prefix (default `pos:entity-cache:`) and the supergraph's
namespace (a hash of its SDL, so two different supergraphs never share an entry, and a
reloaded supergraph starts empty while the old entries age out by their TTL):

- `<prefix><ns>:e:<key hex>`: one entry's serialized JSON, `SET ... PX <maxAge>`;
- `<prefix><ns>:t:<tag>`: a set of the entry keys carrying the tag, expiring with its
  longest-lived member (`PEXPIRE NX` then `GT`).

An `_entities` batch is one `MGET`; the puts of one answer are one Lua script run.
Invalidating a tag is one script too (its members and the set deleted together): an
entry put concurrently goes into a new set that the next invalidation finds, and every
instance's feed invalidates every event, so the duplicates drop what a race let in; an
entry can never outlive its TTL. Invalidating twice is harmless (the second finds
nothing).

Failure policy, a cache is never a point of failure: every call has a short timeout
(`timeout`, default 250 ms); a failed or slow call answers misses and stores nothing,
and the store counts it (`stats.errors`), logs once that Redis is unavailable, and for
`retry` seconds does not try (requests go straight to the subgraphs). Invalidations
may have been lost meanwhile, so when Redis answers again this supergraph's entries are
deleted before any is served; then one line says it is back. Bounds: each entry's TTL
(`@cacheable(maxAge:)`); Redis's own `maxmemory` and eviction policy are the operator's
(`allkeys-lru` suits a cache; with `noeviction` a full Redis fails writes, which the
store treats as a failure). One Redis (or a primary with replicas), not Redis Cluster: the
scripts touch an entry and its tag sets, which live in different hash slots.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from .entity_cache_store import Put

log = logging.getLogger(__name__)
DEFAULT_PREFIX = "pos:entity-cache:"
DEFAULT_TIMEOUT = 0.25
DEFAULT_RETRY = 1.0
RECOVERY_TIMEOUT = 10.0  # a PING and the deletion of one supergraph's entries
MAX_VALUE_BYTES = 4 * 1024 * 1024
T = TypeVar("T")

# KEYS: entry keys; ARGV: for each, value, TTL ms, tag count, tag keys... Each SADD also
# looks at two random members and removes those whose entry has expired: a busy tag's set
# (a subgraph's, extended by every put) would otherwise keep every expired key forever;
# this way it holds about twice its live entries at most.
_PUT = """
local at = 1
for i, key in ipairs(KEYS) do
  local ttl = tonumber(ARGV[at + 1])
  redis.call('SET', key, ARGV[at], 'PX', ttl)
  local n = tonumber(ARGV[at + 2])
  for j = 1, n do
    local tag = ARGV[at + 2 + j]
    for _, member in ipairs(redis.call('SRANDMEMBER', tag, 2)) do
      if redis.call('EXISTS', member) == 0 then
        redis.call('SREM', tag, member)
      end
    end
    redis.call('SADD', tag, key)
    redis.call('PEXPIRE', tag, ttl, 'NX')
    redis.call('PEXPIRE', tag, ttl, 'GT')
  end
  at = at + 3 + n
end
return #KEYS
"""

# KEYS: tag keys. Deletes their members and the sets (UNLINK: memory is freed off Redis's
# main thread); how many entries were deleted.
_INVALIDATE = """
local dropped = 0
for _, tag in ipairs(KEYS) do
  local members = redis.call('SMEMBERS', tag)
  for i = 1, #members, 500 do
    dropped = dropped + redis.call('UNLINK', unpack(members, i, math.min(i + 499, #members)))
  end
  redis.call('UNLINK', tag)
end
return dropped
"""


class RedisUnavailable(Exception):
    """Redis failed, was slow, or is being waited out: the cache answers misses."""


@dataclass
class RedisStats:
    errors: int = 0  # calls that failed or timed out
    skipped: int = 0  # calls not tried while Redis was unavailable
    unavailable: int = 0  # times Redis was found unavailable (state changes)
    invalidated: int = 0


def redacted(url: str) -> str:
    """The URL without its password, for log lines."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class RedisStore:
    """`EntityStore` on Redis (redis-py's asyncio client), shared by gateway instances."""

    def __init__(
        self,
        url: str,
        *,
        namespace: str = "",
        prefix: str = DEFAULT_PREFIX,
        timeout: float = DEFAULT_TIMEOUT,
        retry: float = DEFAULT_RETRY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.timeout = timeout
        self.retry = retry
        self.clock = clock
        self.stats = RedisStats()
        self.available = True
        self._retry_at = 0.0
        self._recovery: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self._client: aioredis.Redis | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scripts: dict[str, Any] = {}
        self.use_namespace(namespace)

    def use_namespace(self, namespace: str) -> None:
        self._base = f"{self.prefix}{namespace}:".encode()

    def entry_key(self, key: bytes) -> bytes:
        return self._base + b"e:" + key.hex().encode()

    def tag_key(self, tag: str) -> bytes:
        return self._base + b"t:" + tag.encode()

    # ---- EntityStore ----

    async def get_many(self, keys: Sequence[bytes], now: float) -> list[bytes | None]:
        if not keys:
            return []
        names = [self.entry_key(k) for k in keys]
        try:
            values = await self._call("MGET", lambda c: c.mget(names))
        except RedisUnavailable:
            return [None] * len(keys)
        return [v if isinstance(v, bytes) else None for v in values]

    async def put_many(self, entries: Sequence[Put], now: float) -> None:
        keys: list[bytes] = []
        args: list[Any] = []
        for key, value, ttl, tags in entries:
            ms = int(ttl * 1000)
            if ms < 1 or len(value) > MAX_VALUE_BYTES:
                continue
            keys.append(self.entry_key(key))
            args += [value, ms, len(tags), *(self.tag_key(t) for t in tags)]
        if not keys:
            return
        try:
            await self._call("put", lambda c: self._script(c, "put", _PUT)(keys=keys, args=args))
        except RedisUnavailable:
            return

    async def invalidate_tags(self, tags: Sequence[str]) -> int:
        if not tags:
            return 0
        names = [self.tag_key(t) for t in tags]
        try:
            dropped = await self._call(
                "invalidate", lambda c: self._script(c, "invalidate", _INVALIDATE)(keys=names)
            )
        except RedisUnavailable:
            return 0  # lost: Redis may still hold the entries, emptied when it is back
        self.stats.invalidated += int(dropped)
        return int(dropped)

    async def flush(self) -> None:
        with contextlib.suppress(RedisUnavailable):  # else emptied when it is back
            await self._call("flush", self._delete_namespace, timeout=RECOVERY_TIMEOUT)

    async def aclose(self) -> None:
        if self._recovery is not None:
            self._recovery.cancel()
        client, self._client = self._client, None
        if client is not None and self._loop is asyncio.get_running_loop():
            await client.aclose()

    # ---- the connection and the failure policy ----

    def _connection(self) -> aioredis.Redis:
        """The client of the running event loop (a client's connections belong to the
        loop that opened them; tests and reloads may run several loops in turn)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = aioredis.Redis.from_url(
                self.url,
                socket_timeout=self.timeout,
                socket_connect_timeout=self.timeout,
                retry_on_timeout=False,
                health_check_interval=0,
            )
            self._loop = loop
            self._scripts = {}
        return self._client

    def _script(self, client: aioredis.Redis, name: str, source: str) -> Any:
        script = self._scripts.get(name)
        if script is None:
            script = self._scripts[name] = client.register_script(source)
        return script

    async def _call(
        self,
        what: str,
        action: Callable[[aioredis.Redis], Awaitable[T]],
        *,
        timeout: float | None = None,
    ) -> T:
        if not self.available:
            self.stats.skipped += 1
            if self.clock() >= self._retry_at and self._recovery is None:
                self._recovery = asyncio.get_running_loop().create_task(self._recover())
            raise RedisUnavailable
        client = self._connection()
        try:
            async with asyncio.timeout(timeout or self.timeout):
                return await action(client)
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed(what, exc)
            raise RedisUnavailable from exc

    async def _recover(self) -> None:
        """Try Redis again, in the background (requests keep going to the subgraphs).
        Invalidations may have been lost meanwhile, so this supergraph's entries are
        deleted before any is served again."""
        try:
            client = self._connection()
            async with asyncio.timeout(RECOVERY_TIMEOUT):
                await client.ping()
                await self._delete_namespace(client)
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed("recovery", exc)
        else:
            self.available = True
            log.warning("entity cache: Redis at %s is back (entries emptied)", redacted(self.url))
        finally:
            self._recovery = None

    async def _delete_namespace(self, client: aioredis.Redis) -> int:
        pattern = _glob_escape(self._base) + b"*"
        deleted = 0
        batch: list[bytes] = []
        async for name in client.scan_iter(match=pattern, count=1000):
            batch.append(name)
            if len(batch) >= 1000:
                deleted += await client.unlink(*batch)
                batch = []
        if batch:
            deleted += await client.unlink(*batch)
        return deleted

    def _failed(self, what: str, exc: BaseException) -> None:
        self.stats.errors += 1
        self._retry_at = self.clock() + self.retry
        if self.available:
            self.available = False
            self.stats.unavailable += 1
            log.warning(
                "entity cache: Redis at %s unavailable (%s: %s); answering from the "
                "subgraphs, retrying every %.1fs",
                redacted(self.url), what, str(exc) or type(exc).__name__, self.retry,
            )  # fmt: skip
        # a connection cut off mid-reply is unusable: a fresh client next time
        old, self._client = self._client, None
        if old is not None:
            closing = asyncio.get_running_loop().create_task(old.aclose())
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)


def _glob_escape(raw: bytes) -> bytes:
    out = bytearray()
    for byte in raw:
        if byte in b"*?[]\\":
            out += b"\\"
        out.append(byte)
    return bytes(out)

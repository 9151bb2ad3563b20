"""Where the entity cache keeps its entries: in memory, bounded by entries and bytes.

Values are the serialized JSON of one entity (or one root answer): serialized because the
executor merges answers into the response in place, so a cached object handed out twice
would be changed by the first request; bytes also make the byte bound exact. Each entry
carries tags (its entity, its subgraph, its root fields) so an event drops every entry
of an entity at once, whatever the selection or caller.

`EntityStore` is what the cache asks of a store, async so a network store fits
(`redis_store.RedisStore`): many keys per call (one round trip for an `_entities` batch),
entries put with a TTL and tags, a tag invalidated, everything of this supergraph
forgotten. `MemoryStore` answers it in process, one per gateway process.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_MAX_BYTES = 32 * 1024 * 1024


Put = tuple[bytes, bytes, float, tuple[str, ...]]
"""One entry to store: key, value, TTL in seconds, tags."""


class EntityStore(Protocol):
    """The entity cache's store. A store that fails answers misses and stores nothing:
    the cache is never a point of failure (`RedisStore`)."""

    async def get_many(self, keys: Sequence[bytes], now: float) -> list[bytes | None]:
        """The values of `keys` (None for a miss), in order."""

    async def put_many(self, entries: Sequence[Put], now: float) -> None:
        """Store each entry until its TTL, under its tags."""

    async def invalidate_tags(self, tags: Sequence[str]) -> int:
        """Drop every entry carrying any of `tags`; how many (0 when already gone)."""

    async def flush(self) -> None:
        """Forget every entry of this supergraph."""

    def use_namespace(self, namespace: str) -> None:
        """Entries of another supergraph from now on (a reload); the old ones are not
        served again."""

    async def aclose(self) -> None:
        """Release connections."""


@dataclass(slots=True)
class _Entry:
    value: bytes
    expires: float
    tags: tuple[str, ...]


@dataclass
class StoreStats:
    entries: int = 0
    bytes: int = 0
    evicted: int = 0
    expired: int = 0
    invalidated: int = 0


@dataclass
class MemoryStore:
    """An LRU of serialized answers with a TTL per entry and an index by tag."""

    max_entries: int = DEFAULT_MAX_ENTRIES
    max_bytes: int = DEFAULT_MAX_BYTES
    stats: StoreStats = field(default_factory=StoreStats)
    _entries: OrderedDict[bytes, _Entry] = field(default_factory=OrderedDict)
    _tags: dict[str, set[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.max_entries < 1 or self.max_bytes < 1:
            raise ValueError("the entity cache needs room for at least one entry")

    def __len__(self) -> int:
        return len(self._entries)

    # ---- EntityStore ----

    async def get_many(self, keys: Sequence[bytes], now: float) -> list[bytes | None]:
        return [self.get(key, now) for key in keys]

    async def put_many(self, entries: Sequence[Put], now: float) -> None:
        for key, value, ttl, tags in entries:
            self.put(key, value, ttl, tags, now)

    async def invalidate_tags(self, tags: Sequence[str]) -> int:
        return sum(self.invalidate(tag) for tag in tags)

    async def flush(self) -> None:
        self.clear()

    def use_namespace(self, namespace: str) -> None:
        self.clear()  # one process, one supergraph at a time: nothing to keep apart

    async def aclose(self) -> None:
        return None

    # ---- in process ----

    def get(self, key: bytes, now: float) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= now:
            self._drop(key)
            self.stats.expired += 1
            return None
        self._entries.move_to_end(key)
        return entry.value

    def put(self, key: bytes, value: bytes, ttl: float, tags: tuple[str, ...], now: float) -> None:
        if len(value) > self.max_bytes:
            return  # larger than the whole cache: never worth evicting everything for
        if key in self._entries:
            self._drop(key)
        self._entries[key] = _Entry(value, now + ttl, tags)
        self.stats.bytes += len(value)
        for tag in tags:
            self._tags.setdefault(tag, set()).add(key)
        while len(self._entries) > self.max_entries or self.stats.bytes > self.max_bytes:
            oldest = next(iter(self._entries))
            self._drop(oldest)
            self.stats.evicted += 1
        self.stats.entries = len(self._entries)

    def invalidate(self, tag: str) -> int:
        """Drop every entry carrying `tag`; how many."""
        keys = self._tags.pop(tag, set())
        for key in list(keys):
            self._drop(key)
        self.stats.invalidated += len(keys)
        return len(keys)

    def clear(self) -> None:
        self._entries.clear()
        self._tags.clear()
        self.stats.bytes = 0
        self.stats.entries = 0

    def _drop(self, key: bytes) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self.stats.bytes -= len(entry.value)
        for tag in entry.tags:
            keys = self._tags.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._tags[tag]
        self.stats.entries = len(self._entries)

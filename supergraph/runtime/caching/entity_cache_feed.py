"""The entity cache's own read of the invalidating topics (`@cacheable(topic:, events:)`).

A separate `EventFeed` (supergraph/subscriptions/events.py) with a consumer group of its
own per gateway instance, from the latest offsets: every instance sees every event and
invalidates its own cache. One subscriber per topic, with a deep queue; the cache serves
only while every topic is consumed (`EntityCache.live`), and is emptied whenever a topic's
subscription (re)starts, since events may have been missed in between.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from dataclasses import dataclass

from eventbus.ports import Transport
from supergraph.caching.spec import InvalidCacheRules, cache_policy
from supergraph.subscriptions.events import (
    EventFeed,
    FeedUnavailable,
    SubscriptionClosed,
    instance_group,
)

from ..supergraph_schema import SupergraphError
from .entity_cache import DEFAULT_SETTLE, EntityCache
from .entity_cache_store import DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, EntityStore, MemoryStore
from .redis_store import DEFAULT_PREFIX, DEFAULT_TIMEOUT, RedisStore

log = logging.getLogger(__name__)
QUEUE_SIZE = 100_000


class InvalidationFeed:
    def __init__(self, cache: EntityCache, transport: Transport, *, retry: float = 0.05) -> None:
        self.cache = cache
        self.feed = EventFeed(
            transport, cache.policy.topics, group=instance_group("pos-gateway-cache")
        )
        self.retry = retry
        self._consuming: dict[str, bool] = {t: False for t in self.feed.topics}
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Returns once every topic is consumed (or the broker is found unreachable: then
        the cache stays bypassed until it is)."""
        await self.feed.start()
        self._tasks = [
            asyncio.create_task(self._follow(topic), name=f"entity-cache {topic}")
            for topic in self.feed.topics
        ]
        if self.feed.connected:
            for _ in range(100):
                if all(self._consuming.values()):
                    break
                await asyncio.sleep(0.01)

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.cache.live = False
        await self.cache.store.aclose()
        await self.feed.stop()
        # Stopping a consumer wakes every consumer's pending poll; let them re-wait before
        # the next feed is cancelled: Python 3.11's wait_for loses a cancellation that
        # arrives as its awaited future completes, and that poll would never end.
        await asyncio.sleep(0.05)

    def _set(self, topic: str, consuming: bool) -> None:
        self._consuming[topic] = consuming
        self.cache.live = all(self._consuming.values())

    async def _follow(self, topic: str) -> None:
        while True:
            try:
                subscription = self.feed.subscribe(topic, lambda _e: True, queue_size=QUEUE_SIZE)
            except FeedUnavailable:
                await asyncio.sleep(self.retry)
                continue
            await self.cache.flush()
            self._set(topic, True)
            try:
                async for envelope in subscription:
                    await self.cache.on_event(topic, envelope)
            except SubscriptionClosed as exc:
                log.warning("entity cache: %s feed ended (%s); bypassing until back", topic, exc)
            finally:
                self._set(topic, False)
                subscription.close()
                self.cache.mark_flushed()  # bypassed until back, and emptied then
            await asyncio.sleep(self.retry)


@dataclass(frozen=True)
class EntityCacheOptions:
    """`create_app(entity_cache=...)`: the store and its bounds ("memory" is the default
    store with default bounds, "redis" the shared store at POS_REDIS_URL; "off" or None
    turns the cache off). `max_entries`/`max_bytes` bound the memory store; Redis is
    bounded by TTLs and its own maxmemory (redis_store.py)."""

    store: str = "memory"
    max_entries: int = DEFAULT_MAX_ENTRIES
    max_bytes: int = DEFAULT_MAX_BYTES
    settle: float = DEFAULT_SETTLE
    redis_url: str | None = None
    """None: POS_REDIS_URL, else redis://127.0.0.1:6379/0 (`pos infra up`'s server)."""
    redis_prefix: str = DEFAULT_PREFIX
    redis_timeout: float = DEFAULT_TIMEOUT


STORES = ("memory", "redis", "off")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def supergraph_namespace(supergraph_sdl: str) -> str:
    """Keeps the entries of different supergraphs apart in a shared store."""
    return hashlib.sha256(supergraph_sdl.encode()).hexdigest()[:16]


def build_store(options: EntityCacheOptions, namespace: str) -> EntityStore:
    if options.store == "redis":
        url = options.redis_url or os.environ.get("POS_REDIS_URL") or DEFAULT_REDIS_URL
        return RedisStore(
            url, namespace=namespace, prefix=options.redis_prefix, timeout=options.redis_timeout
        )
    return MemoryStore(max_entries=options.max_entries, max_bytes=options.max_bytes)


def build_entity_cache(
    supergraph_sdl: str,
    option: str | EntityCacheOptions | None,
    transport: Transport | None,
) -> tuple[EntityCache | None, InvalidationFeed | None]:
    """The cache and its feed for a supergraph; (None, None) when it is off, when no
    subgraph declares `@cacheable`, or when rules need events and there is no bus (a
    cache that cannot see invalidations would serve stale answers: it stays off, logged)."""
    if option is None or option == "off":
        return None, None
    options = EntityCacheOptions(store=option) if isinstance(option, str) else option
    if options.store not in STORES:
        raise ValueError(f"entity cache store {options.store!r}: expected memory, redis or off")
    if options.store == "off":
        return None, None
    try:
        policy = cache_policy(supergraph_sdl)
    except InvalidCacheRules as exc:
        raise SupergraphError(str(exc)) from exc
    if not policy:
        return None, None
    store = build_store(options, supergraph_namespace(supergraph_sdl))
    cache = EntityCache(policy, store, settle=options.settle)
    if not policy.topics:
        cache.live = True  # TTL-only rules: no events to follow
        return cache, None
    if transport is None:
        log.warning(
            "entity cache off: @cacheable rules are invalidated by events on %s, and the "
            "gateway has no event bus to read them from",
            ", ".join(policy.topics),
        )
        return None, None
    return cache, InvalidationFeed(cache, transport)


def reloaded_entity_cache(
    cache: EntityCache | None, feed: InvalidationFeed | None, supergraph_sdl: str
) -> EntityCache | None:
    """The cache for a reloaded supergraph: the running one with the new rules (emptied),
    when its feed already reads every topic they name; else off until a restart (the
    feed's topics are fixed when it starts), logged. A cache that was off stays off."""
    if cache is None:
        return None
    try:
        policy = cache_policy(supergraph_sdl)
    except InvalidCacheRules as exc:
        raise SupergraphError(str(exc)) from exc
    followed = set(feed.feed.topics) if feed is not None else set()
    if not policy or not set(policy.topics) <= followed:
        if policy:
            log.warning("entity cache off after reload: restart to follow its new topics")
        return None
    cache.replace_policy(policy, supergraph_namespace(supergraph_sdl))
    return cache

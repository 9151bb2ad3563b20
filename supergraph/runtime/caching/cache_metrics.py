"""The entity cache's figures for GET /metrics (read at scrape time by plugins/metrics.py).

What an operator needs to see that the cache works and that its store is healthy: hits,
misses and what was stored or not, invalidations, whether the feed is consuming, and for
Redis whether it answers (`pos_gateway_entity_cache_store_available` drops to 0 while the
gateway answers from the subgraphs) with its failed and skipped calls.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from .entity_cache import EntityCache
from .entity_cache_store import MemoryStore
from .redis_store import RedisStore

PREFIX = "pos_gateway_entity_cache"


def entity_cache_metrics(cache: EntityCache) -> Iterator[Metric]:
    stats = cache.stats
    for name, value, text in (
        ("hits", stats.hits, "Entities and root answers served from the cache."),
        ("misses", stats.misses, "Entities and root answers asked of the subgraphs."),
        ("stored", stats.stored, "Answers stored."),
        ("not_stored", stats.not_stored, "Answers passed on unstored (unsettled, errors)."),
        ("bypassed", stats.bypassed, "Subgraph calls past the cache while the feed was down."),
        ("invalidations", stats.invalidations, "Tags invalidated by events and mutations."),
    ):
        yield CounterMetricFamily(f"{PREFIX}_{name}", text, value)
    yield _gauge("live", "1 while the invalidation feed consumes every topic.", int(cache.live))
    store = cache.store
    if isinstance(store, RedisStore):
        yield _gauge(
            "store_available",
            "1 while Redis answers; 0 while the gateway answers from the subgraphs.",
            int(store.available),
        )
        yield CounterMetricFamily(
            f"{PREFIX}_store_errors", "Redis calls that failed or timed out.", store.stats.errors
        )
        yield CounterMetricFamily(
            f"{PREFIX}_store_skipped",
            "Redis calls not tried while it was unavailable.",
            store.stats.skipped,
        )
    elif isinstance(store, MemoryStore):
        yield _gauge("entries", "Entries in the memory store.", len(store))
        yield _gauge("bytes", "Bytes of the entries in the memory store.", store.stats.bytes)


def _gauge(name: str, text: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{PREFIX}_{name}", text, value=value)

"""The entity cache's store contract, the same test functions over MemoryStore and
RedisStore (the real redis-server `pos infra up` starts, at POS_REDIS_URL: a missing
Redis fails these tests), and RedisStore's failure policy against a closed port and a
server that never answers."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from pos.settings import Settings
from supergraph.runtime.caching.entity_cache_store import EntityStore, MemoryStore
from supergraph.runtime.caching.redis_store import RedisStore

REDIS_URL = Settings.from_env().redis_url


def _redis(namespace: str = "ns", **options: Any) -> RedisStore:
    """A store under a prefix of its own: tests never see each other's entries (and a
    long timeout: a loaded test machine is not an outage here)."""
    options.setdefault("timeout", 2.0)
    return RedisStore(
        REDIS_URL, namespace=namespace, prefix=f"pos:test:{uuid.uuid4().hex}:", **options
    )


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[EntityStore]:
    made: EntityStore = MemoryStore() if request.param == "memory" else _redis()
    if isinstance(made, RedisStore):
        assert await made.get_many([b"probe"], 0.0) == [None]
        assert made.available, f"no Redis at {REDIS_URL}: run `.venv/bin/pos infra up`"
    yield made
    await made.flush()
    await made.aclose()


def now() -> float:
    return time.monotonic()


async def test_a_put_entry_is_got_and_others_miss(store: EntityStore) -> None:
    assert await store.get_many([b"k1", b"k2"], now()) == [None, None]
    await store.put_many([(b"k1", b'{"price":1}', 60, ("e\0prices\0p1",))], now())
    assert await store.get_many([b"k2", b"k1", b"k3"], now()) == [None, b'{"price":1}', None]
    assert await store.get_many([], now()) == []


async def test_a_batch_is_put_and_got_in_order(store: EntityStore) -> None:
    entries = [(f"k{i}".encode(), f"v{i}".encode(), 60.0, (f"t{i % 2}",)) for i in range(50)]
    await store.put_many(entries, now())
    keys = [key for key, *_ in entries]
    assert await store.get_many(keys, now()) == [value for _, value, *_ in entries]


async def test_an_entry_is_gone_after_its_ttl(store: EntityStore) -> None:
    await store.put_many([(b"short", b"1", 0.6, ("t",)), (b"long", b"2", 60, ("t",))], now())
    assert await store.get_many([b"short"], now()) == [b"1"]
    await asyncio.sleep(0.8)
    assert await store.get_many([b"short", b"long"], now()) == [None, b"2"]


async def test_invalidating_a_tag_drops_every_entry_carrying_it(store: EntityStore) -> None:
    await store.put_many(
        [
            (b"a", b"1", 60, ("s\0prices", "e\0prices\0p1")),
            (b"b", b"2", 60, ("s\0prices", "e\0prices\0p1")),
            (b"c", b"3", 60, ("s\0prices", "e\0prices\0p2")),
        ],
        now(),
    )
    assert await store.invalidate_tags(["e\0prices\0p1"]) == 2
    assert await store.get_many([b"a", b"b", b"c"], now()) == [None, None, b"3"]
    assert await store.invalidate_tags(["s\0prices", "e\0prices\0p2"]) == 1
    assert await store.get_many([b"c"], now()) == [None]


async def test_a_second_invalidation_of_the_same_tag_is_harmless(store: EntityStore) -> None:
    await store.put_many([(b"a", b"1", 60, ("t",))], now())
    assert await store.invalidate_tags(["t"]) == 1
    assert await store.invalidate_tags(["t"]) == 0  # another instance's feed, later
    assert await store.invalidate_tags(["never-used"]) == 0
    await store.put_many([(b"a", b"2", 60, ("t",))], now())  # filled again after the event
    assert await store.get_many([b"a"], now()) == [b"2"]
    assert await store.invalidate_tags(["t"]) == 1


async def test_a_put_again_replaces_the_value(store: EntityStore) -> None:
    await store.put_many([(b"a", b"old", 60, ("t",))], now())
    await store.put_many([(b"a", b"new", 60, ("t",))], now())
    assert await store.get_many([b"a"], now()) == [b"new"]


async def test_flush_forgets_everything(store: EntityStore) -> None:
    await store.put_many([(b"a", b"1", 60, ("t",)), (b"b", b"2", 60, ())], now())
    await store.flush()
    assert await store.get_many([b"a", b"b"], now()) == [None, None]
    assert await store.invalidate_tags(["t"]) == 0


async def test_another_supergraph_does_not_see_the_entries(store: EntityStore) -> None:
    await store.put_many([(b"a", b"1", 60, ("t",))], now())
    store.use_namespace("another supergraph")
    assert await store.get_many([b"a"], now()) == [None]


# ---- Redis only ----


async def test_two_supergraphs_on_one_redis_never_share_entries() -> None:
    prefix = f"pos:test:{uuid.uuid4().hex}:"
    one = RedisStore(REDIS_URL, namespace="one", prefix=prefix, timeout=2.0)
    two = RedisStore(REDIS_URL, namespace="two", prefix=prefix, timeout=2.0)
    try:
        await one.put_many([(b"a", b"1", 60, ("t",))], now())
        assert await two.get_many([b"a"], now()) == [None]
        await two.flush()  # one supergraph's flush leaves the other's entries
        assert await two.invalidate_tags(["t"]) == 0
        assert await one.get_many([b"a"], now()) == [b"1"]
    finally:
        await one.flush()
        await one.aclose()
        await two.aclose()


async def test_tag_sets_expire_with_their_longest_lived_entry() -> None:
    store = _redis()
    try:
        await store.put_many([(b"a", b"1", 1.0, ("t",)), (b"b", b"2", 2.0, ("t",))], now())
        client = store._connection()
        ttl = await client.pttl(store.tag_key("t"))
        assert 1000 < ttl <= 2000, ttl  # extended to b's TTL, not a's
        await asyncio.sleep(2.2)
        assert await client.exists(store.tag_key("t")) == 0, "no set outlives its entries"
    finally:
        await store.aclose()


async def test_a_busy_tags_set_sheds_expired_members() -> None:
    """The subgraph tag is on every entry and every put extends its set's TTL: without
    pruning it would keep every expired key."""
    store = _redis()
    try:
        await store.put_many([(f"old{i}".encode(), b"1", 0.1, ("s",)) for i in range(100)], now())
        await asyncio.sleep(0.2)
        for i in range(300):
            await store.put_many([(f"new{i}".encode(), b"2", 60, ("s",))], now())
        members = await store._connection().scard(store.tag_key("s"))
        assert 300 <= members <= 350, members  # the 300 live ones, few of the 100 expired
        assert await store.invalidate_tags(["s"]) == 300
    finally:
        await store.flush()
        await store.aclose()


@pytest.fixture
def closed_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]  # bound, not listening: connections are refused


@pytest.fixture
async def silent_port() -> AsyncIterator[int]:
    """A server that accepts connections and never answers (a hung Redis)."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in held:
        writer.close()
    server.close()


@pytest.mark.parametrize("kind", ["refused", "silent"])
async def test_an_unavailable_redis_answers_misses_quickly_and_logs_once(
    kind: str, closed_port: int, silent_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    port = closed_port if kind == "refused" else silent_port
    store = RedisStore(f"redis://127.0.0.1:{port}/0", timeout=0.1, retry=0.2)
    caplog.set_level(logging.WARNING, "supergraph.runtime.caching.redis_store")
    started = time.monotonic()
    for _ in range(20):
        assert await store.get_many([b"a", b"b"], now()) == [None, None]
        await store.put_many([(b"a", b"1", 60, ("t",))], now())
        assert await store.invalidate_tags(["t"]) == 0
    took = time.monotonic() - started
    assert took < 1.0, f"60 calls took {took:.2f}s: the timeout or the wait-out is not working"
    assert not store.available
    assert store.stats.unavailable == 1 and store.stats.errors >= 1
    assert store.stats.skipped >= 50  # waited out, not tried per request
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "unavailable" in lines[0], lines
    await store.aclose()


async def test_a_password_never_reaches_the_log(
    closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisStore(f"redis://cache:s3cret@127.0.0.1:{closed_port}/0", timeout=0.1)
    caplog.set_level(logging.WARNING, "supergraph.runtime.caching.redis_store")
    await store.get_many([b"a"], now())
    assert caplog.records and "s3cret" not in caplog.text and "***" in caplog.text
    await store.aclose()

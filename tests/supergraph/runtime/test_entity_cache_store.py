"""The entity cache's store and key logic without sockets: TTL, bounds, tags, callers,
errors of a partial hit (a fake clock and a fake subgraph)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from supergraph.caching import cache_policy
from supergraph.runtime.caching.entity_cache import EntityCache
from supergraph.runtime.caching.entity_cache_store import MemoryStore
from supergraph.runtime.fetching.subgraph_identity import (
    HEADER,
    IdentitySigner,
    generate_private_jwk,
)

SDL = (
    Path(__file__).parents[1] / "fixtures" / "planning" / "entity_cache" / "supergraph.graphql"
).read_text()
QUERY = (
    "query($representations:[_Any!]!)"
    "{_entities(representations:$representations){...on Product{price}}}"
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Subgraph:
    def __init__(self, errors: list[dict[str, Any]] | None = None) -> None:
        self.sent: list[list[str]] = []
        self.errors = errors

    async def __call__(self, variables: Any) -> dict[str, Any]:
        reps = variables["representations"]
        self.sent.append([r["id"] for r in reps])
        out: dict[str, Any] = {"data": {"_entities": [{"price": int(r["id"][1:])} for r in reps]}}
        if self.errors:
            out["errors"] = self.errors
        return out


def reps(*ids: str) -> dict[str, Any]:
    return {"representations": [{"__typename": "Product", "id": i} for i in ids]}


def cache(clock: Clock, **store: Any) -> EntityCache:
    c = EntityCache(cache_policy(SDL), MemoryStore(**store), settle=0.0, clock=clock)
    c.live = True
    return c


def memory(c: EntityCache) -> MemoryStore:
    assert isinstance(c.store, MemoryStore)
    return c.store


async def test_entries_expire_after_max_age() -> None:
    clock, sub = Clock(), Subgraph()
    c = cache(clock)
    await c.post("prices", QUERY, reps("p1"), {}, sub)
    clock.now += 59
    await c.post("prices", QUERY, reps("p1"), {}, sub)
    assert sub.sent == [["p1"]]
    clock.now += 2  # maxAge 60
    await c.post("prices", QUERY, reps("p1"), {}, sub)
    assert sub.sent == [["p1"], ["p1"]]


async def test_the_entry_bound_evicts_the_least_recently_used() -> None:
    clock, sub = Clock(), Subgraph()
    c = cache(clock, max_entries=2)
    await c.post("prices", QUERY, reps("p1", "p2"), {}, sub)
    await c.post("prices", QUERY, reps("p1"), {}, sub)  # p1 used: p2 is the oldest
    await c.post("prices", QUERY, reps("p3"), {}, sub)
    assert len(memory(c)) == 2
    await c.post("prices", QUERY, reps("p1", "p2", "p3"), {}, sub)
    assert sub.sent[-1] == ["p2"]


async def test_the_byte_bound_holds() -> None:
    clock, sub = Clock(), Subgraph()
    c = cache(clock, max_bytes=40)
    await c.post("prices", QUERY, reps("p1", "p2", "p3", "p4"), {}, sub)
    assert memory(c).stats.bytes <= 40 and memory(c).stats.evicted >= 1


async def test_identity_tokens_of_one_caller_share_entries_and_callers_do_not() -> None:
    clock, sub = Clock(), Subgraph()
    c = cache(clock)
    jwk = generate_private_jwk()
    signer = IdentitySigner(jwk)
    ann = {"sub": "ann", "roles": ["cashier"]}
    first = signer.token(ann)
    await c.post("prices", QUERY, reps("p1"), {HEADER: first}, sub)
    renewed = IdentitySigner(jwk, lifetime=3600.0).token(ann)  # another exp
    assert renewed != first
    await c.post("prices", QUERY, reps("p1"), {HEADER: renewed}, sub)
    assert sub.sent == [["p1"]]
    await c.post("prices", QUERY, reps("p1"), {HEADER: signer.token({"sub": "bob"})}, sub)
    assert sub.sent == [["p1"], ["p1"]]


async def test_a_partial_hit_renumbers_errors_and_keeps_failed_entities_out() -> None:
    clock = Clock()
    c = cache(clock)
    await c.post("prices", QUERY, reps("p1"), {}, Subgraph())
    failing = Subgraph(errors=[{"message": "no price", "path": ["_entities", 1, "price"]}])
    answer = await c.post("prices", QUERY, reps("p1", "p2", "p3"), {}, failing)
    assert isinstance(answer, dict)
    assert failing.sent == [["p2", "p3"]]
    assert answer["data"]["_entities"] == [{"price": 1}, {"price": 2}, {"price": 3}]
    assert answer["errors"] == [{"message": "no price", "path": ["_entities", 2, "price"]}]
    again = Subgraph()
    await c.post("prices", QUERY, reps("p1", "p2", "p3"), {}, again)
    assert again.sent == [["p3"]]  # p2 was stored, p3 (with the error) was not


async def test_bypassed_while_the_feed_is_not_consuming() -> None:
    clock, sub = Clock(), Subgraph()
    c = cache(clock)
    c.live = False
    await c.post("prices", QUERY, reps("p1"), {}, sub)
    await c.post("prices", QUERY, reps("p1"), {}, sub)
    assert sub.sent == [["p1"], ["p1"]] and len(memory(c)) == 0

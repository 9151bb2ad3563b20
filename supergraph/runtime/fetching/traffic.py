"""Traffic shaping per subgraph (Apollo Router's `traffic_shaping`, Hive Router's): the
settings, and the state the fetcher keeps for each subgraph.

Defaults, on in every mode (README "Traffic shaping"): connect within 5 s, answer within
30 s; queries retried at most twice on a failure that cannot have been half-done
(connection refused or dropped before any response, HTTP 502/503/504), after 50 ms then
100 ms (with jitter), within a retry budget of 20 % of the traffic (+10/s); mutations
never retried; a breaker that opens after 5 failures in a row for 10 s; identical
in-flight queries (same subgraph, body and headers) sent once; at most 100 connections
per subgraph (further requests wait for one, within the request timeout). Off unless
asked: `http2` (HTTP/2 to the subgraph: cleartext with prior knowledge for http:// URLs,
negotiated by TLS for https://) and `compression` (gzip request bodies, gzip answers
accepted), both sent through httpx instead of the gateway's own HTTP/1.1 pool.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .circuit_breaker import CircuitBreaker
from .retry_budget import RetryBudget

T = TypeVar("T")


@dataclass(frozen=True)
class SubgraphTraffic:
    """The shaping of one subgraph's requests; 0 turns a count or a timeout off."""

    connect_timeout: float = 5.0
    request_timeout: float = 30.0
    retries: int = 2
    retry_backoff: float = 0.05
    retry_budget_percent: float = 0.2
    retry_budget_min_per_second: float = 10.0
    breaker_failures: int = 5
    breaker_open_seconds: float = 10.0
    dedup: bool = True
    max_connections: int = 100
    batch_window: float = 0.0  # seconds `_entities` calls wait for others (entity_batching)
    http2: bool = False  # HTTP/2 to this subgraph (h2c with prior knowledge on http://)
    compression: bool = False  # gzip request bodies, and accept gzip answers

    def __post_init__(self) -> None:
        for name in (
            "connect_timeout",
            "request_timeout",
            "retry_backoff",
            "retry_budget_percent",
            "retry_budget_min_per_second",
            "breaker_open_seconds",
            "batch_window",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more")
        for name in ("retries", "breaker_failures", "max_connections"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more")
        if self.breaker_failures and not self.breaker_open_seconds:
            raise ValueError("a circuit breaker (breaker_failures) needs breaker_open_seconds")

    def replace(self, **changes: Any) -> SubgraphTraffic:
        return dataclasses.replace(self, **changes)


FIELDS = {f.name: f.type for f in dataclasses.fields(SubgraphTraffic)}


def parse_setting(text: str) -> tuple[str | None, str, Any]:
    """`[subgraph:]key=value` (the `--subgraph-traffic` option): (subgraph or None for
    every subgraph, key, typed value). Raises ValueError naming what is wrong."""
    target, sep, rest = text.partition(":")
    if not sep or "=" in target:
        target, rest = "", text
    key, sep, raw = rest.partition("=")
    key = key.strip().replace("-", "_")
    if not sep or key not in FIELDS:
        raise ValueError(
            f"{text!r}: expected [subgraph:]key=value with key one of {', '.join(FIELDS)}"
        )
    kind = FIELDS[key]
    raw = raw.strip()
    value: Any
    try:
        if kind == "bool":
            if raw.lower() not in ("true", "false", "1", "0", "on", "off"):
                raise ValueError(raw)
            value = raw.lower() in ("true", "1", "on")
        elif kind == "int":
            value = int(raw)
        else:
            value = float(raw)
    except ValueError:
        raise ValueError(f"{text!r}: {key} takes a {kind}, got {raw!r}") from None
    return (target.strip() or None), key, value


@dataclass(frozen=True)
class TrafficPolicy:
    """`default` for every subgraph, `subgraphs` overriding it by subgraph name."""

    default: SubgraphTraffic = field(default_factory=SubgraphTraffic)
    subgraphs: Mapping[str, SubgraphTraffic] = field(default_factory=dict)

    def of(self, service: str) -> SubgraphTraffic:
        return self.subgraphs.get(service, self.default)

    @classmethod
    def from_settings(
        cls, settings: list[str], base: SubgraphTraffic | None = None
    ) -> TrafficPolicy:
        """A policy from `[subgraph:]key=value` settings over `base`; settings for every
        subgraph apply first, so a subgraph's own setting wins whatever the order."""
        parsed = [parse_setting(s) for s in settings]
        default = base or SubgraphTraffic()
        every = {k: v for target, k, v in parsed if target is None}
        default = default.replace(**every)
        own: dict[str, dict[str, Any]] = {}
        for target, key, value in parsed:
            if target is not None:
                own.setdefault(target, {})[key] = value
        return cls(default, {name: default.replace(**c) for name, c in own.items()})


class SubgraphState:
    """What the fetcher keeps for one subgraph: its settings, breaker, retry budget, the
    queries in flight (for deduplication) and its connection slots."""

    def __init__(self, settings: SubgraphTraffic) -> None:
        self.settings = settings
        self.breaker = (
            CircuitBreaker(settings.breaker_failures, settings.breaker_open_seconds)
            if settings.breaker_failures
            else None
        )
        self.budget = RetryBudget(
            percent=settings.retry_budget_percent,
            min_per_second=settings.retry_budget_min_per_second,
        )
        self.in_flight: dict[bytes, asyncio.Future[Any]] = {}
        self.slots = (
            asyncio.Semaphore(settings.max_connections) if settings.max_connections else None
        )

    async def deduplicated(self, key: bytes, send: Callable[[], Awaitable[T]]) -> T:
        """`send()` once for every identical request in flight; all get its result.

        The first caller's request runs in its own task, so one waiter cancelled (its
        client left) does not cancel the others' answer."""
        future = self.in_flight.get(key)
        if future is None:
            future = asyncio.ensure_future(send())
            self.in_flight[key] = future
            future.add_done_callback(lambda _f: self.in_flight.pop(key, None))
        result: T = await asyncio.shield(future)
        return result
